package main

import "runtime"

func isLinuxLike() bool {
	switch runtime.GOOS {
	case "darwin", "windows":
		return false
	}
	return true
}
