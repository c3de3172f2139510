package lifecycle

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// RetentionPeriod is how long a job's batch files are kept after the
// batch was anchored: a whole number of calendar years or of days
// (docs/lifecycle.md, "Retention").
type RetentionPeriod struct {
	Years int
	Days  int
}

// Bounds of a retention period, so that the end of every period is a
// time Go can represent and a typo (10000y) is caught.
const (
	maxRetentionYears = 1000
	maxRetentionDays  = 366 * maxRetentionYears
)

var retentionRe = regexp.MustCompile(`^([0-9]+)([yd])$`)

// ParseRetention parses a job's retention: "10y" (calendar years) or
// "400d" (days). It refuses anything else, and a period shorter than a
// day, with what to write instead.
func ParseRetention(s string) (RetentionPeriod, error) {
	m := retentionRe.FindStringSubmatch(s)
	if m == nil {
		return RetentionPeriod{}, fmt.Errorf("retention %q: want a whole number of years or days, e.g. 10y or 400d", s)
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n == 0 {
		return RetentionPeriod{}, fmt.Errorf("retention %q is shorter than a day: want at least 1d, e.g. 10y or 400d", s)
	}
	if m[2] == "y" {
		if n > maxRetentionYears {
			return RetentionPeriod{}, fmt.Errorf("retention %q is longer than %dy", s, maxRetentionYears)
		}
		return RetentionPeriod{Years: n}, nil
	}
	if n > maxRetentionDays {
		return RetentionPeriod{}, fmt.Errorf("retention %q is longer than %dd", s, maxRetentionDays)
	}
	return RetentionPeriod{Days: n}, nil
}

// String is the period as the config writes it ("10y", "400d").
func (p RetentionPeriod) String() string {
	if p.Years > 0 {
		return fmt.Sprintf("%dy", p.Years)
	}
	return fmt.Sprintf("%dd", p.Days)
}

// Ends is when the retention of a batch anchored at anchoredAt ends: the
// same instant, in UTC, that many calendar years (a batch anchored on
// 29 February ends on 1 March) or days of 24 hours later.
func (p RetentionPeriod) Ends(anchoredAt time.Time) time.Time {
	return anchoredAt.UTC().AddDate(p.Years, 0, p.Days)
}

// Due says whether a batch anchored at anchoredAt is past its retention
// at now: its retention ended at or before now.
func (p RetentionPeriod) Due(anchoredAt, now time.Time) bool {
	return !now.Before(p.Ends(anchoredAt))
}
