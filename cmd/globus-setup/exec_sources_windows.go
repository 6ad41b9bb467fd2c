//go:build windows

package main

// keepSourcesFromChild: Windows has no /dev/fd to pass on.
func (a *app) keepSourcesFromChild() {}
