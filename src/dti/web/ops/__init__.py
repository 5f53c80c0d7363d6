"""Operations: security headers, the upload scan hook, health, the 503 page, backup and restore."""
