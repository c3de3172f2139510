package pipeline

import (
	"github.com/robfig/cron/v3"
)

// cronParser accepts standard 5-field cron expressions, descriptors like
// @daily and @every 5m, and a CRON_TZ= or TZ= prefix.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

func checkSchedule(expr string) error {
	_, err := cronParser.Parse(expr)
	return err
}
