"""NLU quality: cross-validation on deskbot's training data and the CLINC150 benchmark.

Runs in the Rasa env (scripts/bootstrap.sh eval-nlu / eval-clinc)."""
