"""Training: fine-tune a Hugging Face classifier, or fit a TF-IDF + logistic-regression baseline."""
