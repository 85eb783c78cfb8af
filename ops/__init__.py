"""What operators watch: Prometheus metrics and health endpoints of deskbot's processes."""
