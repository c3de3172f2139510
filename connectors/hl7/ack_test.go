package hl7

import (
	"strings"
	"testing"
	"time"
)

var ackTime = time.Date(2026, 12, 2, 10, 30, 0, 0, time.FixedZone("", 3600))

func TestBuildAck(t *testing.T) {
	ackSeq.Store(99)
	adt := "MSH|^~\\&|LAB|HOSP|HA|AGENCY|20261202||ADT^A01^ADT_A01|MSG42|P|2.5.1\rPID|1||123^^^H^MR\r"
	tests := []struct {
		name, msg, reason string
		code              AckCode
		want              string
	}{
		{"accept", adt, "", AckAccept,
			"MSH|^~\\&|HA|AGENCY|LAB|HOSP|20261202103000.000+0100||ACK^A01^ACK|A2s|P|2.5.1\rMSA|AA|MSG42\r"},
		{"reject, reason escaped", adt, "too big | really", AckReject,
			"MSH|^~\\&|HA|AGENCY|LAB|HOSP|20261202103000.000+0100||ACK^A01^ACK|A2s|P|2.5.1\rMSA|AR|MSG42\rERR|||207^Application internal error^HL70357|E||||too big \\F\\ really\r"},
		{"other delimiters, v2.3: MSA-3 and ERR-1", "MSH#!~$%#A#B#C#D#1##ORU!R01#X9#T#2.3\rPID#1\r", "bad", AckError,
			"MSH#!~$%#C#D#A#B#20261202103000.000+0100##ACK!R01#A2s#T#2.3\rMSA#AE#X9#bad\rERR#!!!100%Segment sequence error%HL70357\r"},
		{"v2.2: no message structure in MSH-9", "MSH|^~\\&|A|B|C|D|1||ADT^A04|X|P|2.2\r", "", AckAccept,
			"MSH|^~\\&|C|D|A|B|20261202103000.000+0100||ACK^A04|A2s|P|2.2\rMSA|AA|X\r"},
		{"garbage: default delimiters and version", "hello", "not HL7", AckError,
			"MSH|^~\\&|||||20261202103000.000+0100||ACK|A2s|P|2.5.1\rMSA|AE|\rERR|||100^Segment sequence error^HL70357|E||||not HL7\r"},
	}
	for _, tt := range tests {
		ackSeq.Store(99)
		errCode := errInternal
		if tt.code == AckError {
			errCode = errSegmentSequence
		}
		got := string(buildAck(readHeader([]byte(tt.msg)), tt.code, errCode, tt.reason, ackTime))
		if got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
		if _, err := Parse([]byte(got)); err != nil {
			t.Errorf("%s: the ACK does not parse: %v", tt.name, err)
		}
	}
}

func TestReadHeader(t *testing.T) {
	h := readHeader([]byte("MSH|^~\\&|LAB|HOSP^1.2.3^ISO|HA||20261202||ADT^A01|MSG42|P|2.5.1\nPID|1"))
	if !h.ok || string(h.field(4)) != "HOSP^1.2.3^ISO" || string(h.comp(4, 1)) != "HOSP" || string(h.field(10)) != "MSG42" || h.version() != "2.5.1" {
		t.Errorf("header = %+v", h)
	}
	for _, bad := range []string{"", "MSH|", "PID|1|2|3|4", "MSH|^~|A|B|C", "FHS|^~\\&|A|B"} {
		if h := readHeader([]byte(bad)); h.ok {
			t.Errorf("readHeader(%q) ok", bad)
		}
	}
	if !strings.Contains(escapeText("a\\b^c&d~e\r\nf", DefaultDelimiters), `a\E\b\S\c\T\d\R\e  f`) {
		t.Errorf("escapeText = %q", escapeText("a\\b^c&d~e\r\nf", DefaultDelimiters))
	}
}
