# Two commands do all set-up: `make run` and `make test` (see README).
.PHONY: run test lint

run:
	@scripts/bootstrap.sh run

test:
	@scripts/bootstrap.sh test

lint:
	@scripts/bootstrap.sh env >/dev/null && $$(scripts/bootstrap.sh env | sed -n 's/^export DESKBOT_APP_ENV=//p')/bin/ruff check .
