"""The raw-input reference of text: TF-IDF of the words, for the same linear probe on the same split.

Token ids are not features, so the text domain's ``raw_probe`` probes TF-IDF vectors instead
(scikit-learn's ``TfidfVectorizer``, vocabulary and document frequencies fitted on the training
texts only, sublinear term frequency). The probe takes dense features, so the vocabulary is
capped at the ``--tfidf-features`` most frequent training words; the texts are the full ones,
not cut to ``--max-length``, as a bag-of-words classifier would read them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import Tensor


def tfidf_features(train: list[str], test: list[str], max_features: int) -> tuple[Tensor, Tensor, dict[str, Any]]:
    """Dense float32 TF-IDF rows of both splits and a description for the record."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(max_features=max_features, sublinear_tf=True, dtype=np.float32)
    train_x = vectorizer.fit_transform(train)
    test_x = vectorizer.transform(test)
    info = {"raw_reference": f"TF-IDF of the words (scikit-learn TfidfVectorizer, sublinear tf, the "
                             f"{len(vectorizer.vocabulary_)} most frequent training words), fitted on the training "
                             "split only, with the run's probe"}
    return torch.from_numpy(train_x.toarray()), torch.from_numpy(test_x.toarray()), info
