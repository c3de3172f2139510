package sql

import (
	"strings"
	"testing"
)

func TestInlinePassword(t *testing.T) {
	cases := map[string]bool{
		"postgres://reader:secret@host/db":                        true,
		"postgres://reader:${PW}@host/db":                         false,
		"postgres://reader@host/db?sslmode=disable":               false,
		"postgres://postgres@127.0.0.1:5432/test?sslmode=disable": false,
		"host=db user=r password=s3cret dbname=x":                 true,
		"host=db user=r password=${PW} dbname=x":                  false,
		"root:pw@tcp(127.0.0.1:3306)/test":                        true,
		"root@tcp(127.0.0.1:3306)/test":                           false,
		"root:${MYSQL_PW}@tcp(db:3306)/test":                      false,
		"root:@tcp(127.0.0.1:3306)/test":                          false,
		"legacy.db":                                               false,
	}
	for dsn, want := range cases {
		if got := inlinePassword(dsn); got != want {
			t.Errorf("inlinePassword(%q) = %v, want %v", dsn, got, want)
		}
	}
}

// TestInlinePasswordRefused: a config that spells out a password is a
// configuration error that says where secrets go, and does not repeat it.
func TestInlinePasswordRefused(t *testing.T) {
	cfg := Config{Driver: Postgres, DSN: "postgres://reader:Sw0rdfish@db/registry", Table: "patients", Watermark: "updated_at", Key: "id"}
	err := cfg.Validate()
	if err == nil {
		t.Fatal("an inline password was accepted")
	}
	if msg := err.Error(); strings.Contains(msg, "Sw0rdfish") || !strings.Contains(msg, "password_file") {
		t.Errorf("error %q shows the password or does not say where it goes", msg)
	}
}
