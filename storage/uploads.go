package storage

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// AbortUploads aborts the unfinished multipart uploads under relPrefix for
// which drop (given the key, relative to the prefix, and when the upload
// began) says yes, and returns their URLs. An upload is left unfinished
// when the process writing it, or the store, stopped mid-way: it is no
// object (nothing lists or reads it) but the store keeps its parts until
// it is aborted. A folder has no such uploads.
func (b *Bucket) AbortUploads(ctx context.Context, relPrefix string, drop func(rel string, began time.Time) bool) ([]string, error) {
	var client *s3.Client
	if b.scheme != "s3" || !b.b.As(&client) {
		return nil, nil
	}
	var aborted []string
	in := &s3.ListMultipartUploadsInput{Bucket: aws.String(b.name), Prefix: aws.String(b.key(relPrefix))}
	for {
		page, err := client.ListMultipartUploads(ctx, in)
		if err != nil {
			return aborted, b.explain("list unfinished uploads", b.URL(relPrefix), err)
		}
		for _, u := range page.Uploads {
			key := aws.ToString(u.Key)
			rel := key
			if b.prefix != "" {
				rel = strings.TrimPrefix(key, b.prefix+"/")
			}
			if !drop(rel, aws.ToTime(u.Initiated)) {
				continue
			}
			if _, err := client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(b.name), Key: u.Key, UploadId: u.UploadId}); err != nil {
				return aborted, b.explain("abort the unfinished upload of", b.URL(rel), err)
			}
			aborted = append(aborted, b.URL(rel))
		}
		if !aws.ToBool(page.IsTruncated) {
			return aborted, nil
		}
		in.KeyMarker, in.UploadIdMarker = page.NextKeyMarker, page.NextUploadIdMarker
	}
}
