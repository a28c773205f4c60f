"""Demo districts for benchmarks, generated once per size and seed and cached under ``bench-data/``."""

from __future__ import annotations

from pathlib import Path


def district(work: Path, n: int, *, dirt: bool = False, seed: int = 42) -> tuple[Path, dict]:
    """(folder, manifest) of a generated district with ``n`` parcels per plan."""
    from multiplan.dev.demo_district import ensure_generated

    folder = work / f"district-{n}-{'dirt' if dirt else 'clean'}-{seed}"
    return folder, ensure_generated(folder, parcels=n, seed=seed, dirt=dirt)


def layer_uri(folder: Path, manifest: dict, name: str) -> str:
    info = manifest["layers"][name]
    return f"{folder / info['path']}|layername={info['layer']}"
