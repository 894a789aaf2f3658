package main

import (
	"io"
	"time"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views"
	"github.com/shcr-project/shcr/views/vocab"
)

// writeHandover prints the handover summary (views.Handover) of a record already masked:
// restricted items stay withheld unless --reveal-restricted revealed them (revealed).
func (a *app) writeHandover(rec *record.Record, cfg config.Config, revealed func(string) bool) error {
	v, err := vocab.Parse(cfg.Vocabulary)
	if err != nil {
		return exitf(exitUsage, "%v", err)
	}
	now := time.Now
	if a.now != nil {
		now = a.now
	}
	_, err = io.WriteString(a.stdout, views.Handover(rec, v, now(), revealed))
	return err
}
