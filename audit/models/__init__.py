"""Model adapters: Hugging Face, scikit-learn and Python callables behind one Classifier interface."""
