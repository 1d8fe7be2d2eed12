"""The corpus scripts are PyTorch programs run by test_corpus.py, not test modules."""

collect_ignore_glob = ["scripts/*"]
