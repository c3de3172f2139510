package hl7

import (
	"fmt"
	"time"
)

// MaxMessageLimit is the largest max_message_bytes accepted (1 GiB): a
// message is held whole in memory, so the limit is what a run may need.
const MaxMessageLimit = 1 << 30

// Config is the hl7 connector's options (docs/hl7.md). Validate applies
// the defaults and names the first bad field.
type Config struct {
	// Input is a file or a glob, relative to the job's base folder; each
	// file is taken once (the drop-folder watermark).
	Input string `yaml:"input"`
	// Source names the source system in every row's source column; empty
	// means each message's sending facility (MSH-4).
	Source string `yaml:"source"`
	// Timezone is the IANA zone of timestamps without a UTC offset;
	// empty means the job's zone, else UTC.
	Timezone string `yaml:"timezone"`
	// FallbackCharset decodes messages without MSH-18 that are not valid
	// UTF-8 (default windows-1252), with a warning.
	FallbackCharset string `yaml:"fallback_charset"`
	// PreferIDType is the identifier type code (PID-3 CX-5, e.g. "MR")
	// whose identifier becomes patient_id; empty means the first PID-3
	// repetition.
	PreferIDType string `yaml:"prefer_id_type"`
	// MaxMessageBytes bounds one message in memory (default 16 MiB, at
	// most MaxMessageLimit); a longer one is rejected with its first
	// 64 KiB.
	MaxMessageBytes int `yaml:"max_message_bytes"`
	// Listen, HOST:PORT, makes serve receive messages over MLLP into the
	// job's spool, which the job's runs read instead of input files
	// (docs/hl7.md, "Receiving over MLLP").
	Listen string `yaml:"listen"`
	// TLS, with listen, serves MLLP over TLS (mutual when client_ca_file
	// is set).
	TLS *ListenTLS `yaml:"tls"`
	// ReceivingApplication, with listen, refuses (AR) a message whose
	// MSH-5 names another application.
	ReceivingApplication string `yaml:"receiving_application"`
	// Spool is the folder of received messages (default spool/<job>).
	Spool string `yaml:"spool"`
	// ReadTimeout, with listen, closes a connection silent this long
	// (default 5m).
	ReadTimeout time.Duration `yaml:"read_timeout"`
	// MaxConnections, with listen, bounds the connections served at once
	// (default 256); more wait to be accepted.
	MaxConnections int `yaml:"max_connections"`
	// DedupWindow, with listen, is how long a message id (MSH-4 and
	// MSH-10) is remembered to recognise a resend (default 168h).
	DedupWindow time.Duration `yaml:"dedup_window"`

	loc      *time.Location
	fallback *Charset
}

// Validate applies the defaults and checks every option, naming the field
// at fault.
func (c *Config) Validate() error {
	if err := c.validateListen(); err != nil {
		return err
	}
	if c.Input == "" && c.Listen == "" {
		return fmt.Errorf("hl7: input: required (a file or a glob such as inbox/hl7/*.hl7), unless listen is set")
	}
	if c.Timezone != "" {
		loc, err := time.LoadLocation(c.Timezone)
		if err != nil {
			return fmt.Errorf("hl7: timezone: %q is not an IANA time zone: %w", c.Timezone, err)
		}
		c.loc = loc
	}
	if c.FallbackCharset == "" {
		c.FallbackCharset = DefaultFallback
	}
	cs, err := LookupCharset(c.FallbackCharset)
	if err != nil {
		return fmt.Errorf("hl7: fallback_charset: %w", err)
	}
	c.fallback = cs
	if c.MaxMessageBytes == 0 {
		c.MaxMessageBytes = DefaultMaxFrame
	}
	if c.MaxMessageBytes < 1024 || c.MaxMessageBytes > MaxMessageLimit {
		return fmt.Errorf("hl7: max_message_bytes: %d is out of range (1024 to %d)", c.MaxMessageBytes, MaxMessageLimit)
	}
	return nil
}
