"""Features for deskbot's Rasa pipeline that Rasa does not ship: sentence embeddings from the
packaged MiniLM model, computed with NumPy (the Rasa env has no PyTorch)."""
