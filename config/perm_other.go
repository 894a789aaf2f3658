//go:build !unix

package config

import "io/fs"

// checkOwner does nothing where files have no Unix owner and mode bits (Windows keeps
// access control lists, which shcr does not inspect).
func checkOwner(string, fs.FileInfo) (readableByOthers bool, err error) { return false, nil }
