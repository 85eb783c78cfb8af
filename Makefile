# Two commands do all set-up: `make run` and `make test` (see README).
.PHONY: run test lint

run:
	@scripts/bootstrap.sh run

test:
	@scripts/bootstrap.sh test

lint:
	@scripts/bootstrap.sh lint
