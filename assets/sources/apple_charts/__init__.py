"""Apple App Store chart feeds: the current RSS generator and the legacy iTunes RSS."""
