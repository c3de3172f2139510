package storage

import (
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	"github.com/aws/smithy-go"
	"gocloud.dev/gcerrors"
)

// Sentinels a caller can test with errors.Is. Errors that match them say
// which bucket and what to do.
var (
	// ErrNoBucket: the bucket does not exist. Create it, or fix output.url.
	ErrNoBucket = errors.New("the bucket does not exist")
	// ErrDenied: the store refused the credentials or the operation. Check
	// the keys in the variables output.access_key_env and secret_key_env
	// name, and the key's rights on the bucket.
	ErrDenied = errors.New("the store refused the credentials")
	// ErrNotFound: no object at the key.
	ErrNotFound = errors.New("no such object")
	// ErrUnreachable: the store did not answer, or broke the connection
	// mid-request (it is down, restarting, or the endpoint is wrong).
	ErrUnreachable = errors.New("the store cannot be reached")
	// ErrExists: a write that must not overwrite found an object at the
	// key (Copy).
	ErrExists = errors.New("an object is already there")
)

// explain turns a driver error into one naming the operation, the
// bucket and what to do. The store's own message is kept for errors it
// does not classify (it never holds the secret key).
func (b *Bucket) explain(op, what string, err error, cfg ...Config) error {
	code := ""
	var ae smithy.APIError
	if b.b.ErrorAs(err, &ae) {
		code = ae.ErrorCode()
	}
	hint := "the variables output.access_key_env and output.secret_key_env name"
	if len(cfg) > 0 {
		hint = fmt.Sprintf("the keys in $%s and $%s", cfg[0].AccessKeyEnv, cfg[0].SecretKeyEnv)
	}
	switch {
	case code == "NoSuchBucket":
		return fmt.Errorf("storage: %s %s: bucket %q: %w (create it, or fix output.url)", op, what, b.name, ErrNoBucket)
	case code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch" || code == "AccessDenied" || code == "Forbidden" ||
		gcerrors.Code(err) == gcerrors.PermissionDenied:
		return fmt.Errorf("storage: %s %s: bucket %q: %w (%s): check %s", op, what, b.name, ErrDenied, code, hint)
	case code == "" && b.scheme == "s3" && unreachable(err):
		return fmt.Errorf("storage: %s %s: bucket %q: %w (%v)", op, what, b.name, ErrUnreachable, rootCause(err))
	case code == "PreconditionFailed" || gcerrors.Code(err) == gcerrors.FailedPrecondition:
		return fmt.Errorf("storage: %s %s: bucket %q: %w", op, what, b.name, ErrExists)
	case gcerrors.Code(err) == gcerrors.NotFound:
		return fmt.Errorf("storage: %s %s: bucket %q: %w", op, what, b.name, ErrNotFound)
	}
	return fmt.Errorf("storage: %s %s: bucket %q: %w", op, what, b.name, err)
}

// unreachable says whether err is a network failure: no connection, or
// one broken mid-request.
func unreachable(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.ErrUnexpectedEOF)
}

// rootCause is the innermost error of err's first chain (for a network
// failure, "dial tcp ADDR: connect: connection refused" rather than the
// SDK's retry summary around it).
func rootCause(err error) error {
	var op *net.OpError
	if errors.As(err, &op) {
		return op
	}
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}
