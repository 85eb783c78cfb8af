"""What operators watch and what keeps deskbot's processes going: Prometheus metrics,
health endpoints, JSON logs, limits shared through Redis, database connections checked
before use."""
