"""Background jobs: work done off the request path, claimed by one runner, with progress."""
