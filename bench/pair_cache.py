"""Embeddings of labelled pair texts cached on disk for the pair benches.

`CachedEncoder(encoder, folder)` wraps a `SentenceEncoder`: texts it has embedded
once (by encoder name and role) come from `folder/<name>-<role>.npz`, so BQ's
texts are encoded once across bench runs. `folder` is bench/.cache (gitignored):
these are embeddings of research data, never shipped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from consultdesk.assistant.encoder import Role, SentenceEncoder


class CachedEncoder:
    def __init__(self, encoder: SentenceEncoder, folder: Path) -> None:
        self._encoder = encoder
        self._folder = folder
        self._vectors: dict[tuple[str, str], NDArray[np.float32]] = {}
        self._loaded: set[str] = set()
        self._dirty: set[str] = set()

    @property
    def name(self) -> str:
        return self._encoder.name

    def _path(self, role: str) -> Path:
        safe = re.sub(r"[^A-Za-z0-9.+-]", "_", self.name)
        return self._folder / f"{safe}-{role}.npz"

    def _load(self, role: str) -> None:
        if role in self._loaded:
            return
        self._loaded.add(role)
        path = self._path(role)
        if path.exists():
            data = np.load(path, allow_pickle=False)
            for text, vector in zip(data["texts"].tolist(), data["vectors"], strict=True):
                self._vectors[(role, text)] = vector

    def encode(self, texts: Sequence[str], *, role: Role) -> NDArray[np.float32]:
        self._load(role)
        missing = sorted({t for t in texts if (role, t) not in self._vectors})
        if missing:
            for start in range(0, len(missing), 256):
                chunk = missing[start : start + 256]
                vectors = self._encoder.encode(chunk, role=role)
                for text, vector in zip(chunk, vectors, strict=True):
                    self._vectors[(role, text)] = vector
            self._dirty.add(role)
            if len(missing) > 50:
                self.save()
        if not texts:
            return self._encoder.encode([], role=role)
        return np.vstack([self._vectors[(role, t)] for t in texts]).astype(np.float32)

    def save(self) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        for role in sorted(self._dirty):
            keys = [k for k in self._vectors if k[0] == role]
            np.savez(
                self._path(role),
                texts=np.asarray([k[1] for k in keys], dtype=str),
                vectors=np.vstack([self._vectors[k] for k in keys]),
            )
        self._dirty.clear()
