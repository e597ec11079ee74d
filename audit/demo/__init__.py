"""The embedded offline demo: a generated review corpus, two trained models, one audit."""
