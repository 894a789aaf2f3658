package main

import (
	"io"
	"slices"
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
	// The back ends' answers in configuration order (rec.Backends), not in the order they
	// came: the same record prints the same summary.
	order := map[string]int{}
	for i, b := range rec.Backends {
		order[b.Name] = i
	}
	sorted := *rec
	sorted.SectionStatus = slices.Clone(rec.SectionStatus)
	slices.SortStableFunc(sorted.SectionStatus, func(x, y record.SectionStatus) int { return order[x.Backend] - order[y.Backend] })
	_, err = io.WriteString(a.stdout, views.Handover(&sorted, v, now(), revealed))
	return err
}
