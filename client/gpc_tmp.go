package client

import (
	"errors"
	"net/url"

	"github.com/shcr-project/shcr/config"
)

func newGPConnect(cfg config.Backend, base *url.URL, opts Options) (Backend, error) {
	return nil, errors.New("back end " + cfg.Name + ": GP Connect is not available in this build yet")
}
