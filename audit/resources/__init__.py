"""Offline resources that attack recipes need (stopwords, WordNet, word vectors, synonym pairs,
sentence encoder, masked language model): where each is found, how to provide it, how to fetch it.

Light on purpose: importing this package imports no torch, nltk or textattack. See
:mod:`audit.resources.catalog` for the list and :mod:`audit.resources.textattack_env` for the lazy
TextAttack import.
"""
