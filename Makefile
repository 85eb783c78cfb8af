# Two commands do all set-up: `make run` and `make test` (see README).
.PHONY: run cluster test lint fuzz admin eval-retrieval threshold calibrate eval-nlu eval-nlu-held-out eval-clinc eval-routing bench-turns bench-scale

run:
	@scripts/bootstrap.sh run

test:
	@scripts/bootstrap.sh test

# The scale-out topology on loopback: PostgreSQL, Redis, HAProxy, two of each process
cluster:
	@scripts/bootstrap.sh cluster

lint:
	@scripts/bootstrap.sh lint

# Create a console account (an admin by default): make admin [NAME=alice] [ROLE=agent]
admin:
	@scripts/bootstrap.sh console create-user $(or $(NAME),admin) --role $(or $(ROLE),admin)

# Retrieval quality on a dataset in the shared eval format: make eval-retrieval DATA=<dir>
eval-retrieval:
	@scripts/bootstrap.sh eval-retrieval $(DATA)

# The "no good match" trade-off with a fifth of the articles held out: make threshold DATA=<dir>
threshold:
	@scripts/bootstrap.sh threshold $(DATA)

# Learn the search fusion's weights from public datasets (writes kb_index/calibration.json)
calibrate:
	@scripts/bootstrap.sh calibrate $(or $(DATA),../shared/datasets/rutube-dev ../shared/datasets/stackfaq)

# The share of a dataset's questions that reach the KB search: make eval-routing DATA=<dir>
eval-routing:
	@scripts/bootstrap.sh eval-routing $(DATA)

# Intent cross-validation on deskbot's own training data, the languages together, scored
# apart, on seeded folds: make eval-nlu [CONFIG=<pipeline>] [SEED=<n>]
eval-nlu:
	@scripts/bootstrap.sh eval-nlu $(if $(CONFIG),--config $(CONFIG)) $(if $(SEED),--seed $(SEED))

# deskbot's pipeline trained on all its data, asked the phrasings of data/eval/intents-*.yml
eval-nlu-held-out:
	@scripts/bootstrap.sh eval-nlu-held-out $(if $(CONFIG),--config $(CONFIG))

# deskbot's NLU pipeline on CLINC150: make eval-clinc DATA=../shared/datasets/clinc150 [CONFIG=...]
eval-clinc:
	@scripts/bootstrap.sh eval-clinc $(DATA) $(if $(CONFIG),--config $(CONFIG))

# Every entry point fuzzed with 10,000 generated inputs each, against the running stack
fuzz:
	@DESKBOT_FUZZ_EXAMPLES=$(or $(EXAMPLES),10000) scripts/bootstrap.sh test -s -q tests/test_fuzz.py

# Whole turns through the loopback Bot API at 1, 10 and 50 simulated employees
bench-turns:
	@scripts/bootstrap.sh bench-turns

# Search latency, build time and memory at 1k, 10k and 100k synthetic articles
bench-scale:
	@scripts/bootstrap.sh bench-scale
