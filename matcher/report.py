"""The role-clarity report for a community or an event: JSON for apps, charts for hosts."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from .profiles import ROLES


def role_report(insights: list[dict], taxonomy, *, lowest: int = 5) -> dict:
    """Summarise per-member insights (the ``matcher roles --json`` objects)."""
    used = Counter(i["role"] for i in insights)
    n = {r: used.get(r, 0) for r in ROLES}
    pairs = []
    for a_i, a in enumerate(ROLES):
        for b in ROLES[a_i:]:
            count = n[a] * (n[a] - 1) // 2 if a == b else n[a] * n[b]
            s = float(taxonomy.synergy[ROLES.index(a), ROLES.index(b)])
            pairs.append({"roles": [a, b], "pairs": count, "synergy": s,
                          "potential": round(s * count, 2), "reason": taxonomy.reasons[(a, b)]})
    pairs.sort(key=lambda p: -p["potential"])
    ranked = sorted(insights, key=lambda i: i["specificity"])
    return {
        "members": len(insights),
        "role_counts": {
            "declared": {r: sum(i["declared_role"] == r for i in insights) for r in ROLES}
            | {"undeclared": sum(i["declared_role"] is None for i in insights)},
            "inferred": {r: sum(i["inferred_role"] == r for i in insights) for r in ROLES},
            "used": n,
        },
        "markets": dict(Counter(i["market"] for i in insights)),
        "unclear": [{"member_id": i["member_id"], "name": i["name"], "question": i["question"],
                     "probabilities": i["probabilities"]} for i in insights if i["ambiguous"]],
        "mismatched": [{"member_id": i["member_id"], "name": i["name"], "message": i["mismatch"]}
                       for i in insights if i["mismatch"]],
        "lowest_specificity": [{"member_id": i["member_id"], "name": i["name"],
                                "specificity": i["specificity"], "suggestions": i["suggestions"]}
                               for i in ranked[:lowest]],
        "complementary_role_pairs": pairs[:5],
    }


def render_charts(report: dict, insights: list[dict], taxonomy, out_dir: Path) -> list[Path]:
    """Write role distribution, synergy heat map and specificity charts (PNG and SVG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def save(fig, name: str) -> None:
        for ext in ("png", "svg"):
            path = out_dir / f"{name}.{ext}"
            fig.savefig(path, dpi=120, bbox_inches="tight")
            written.append(path)
        plt.close(fig)

    counts = report["role_counts"]
    x = np.arange(len(ROLES))
    fig, ax = plt.subplots(figsize=(7, 3.6))
    ax.bar(x - 0.2, [counts["declared"][r] for r in ROLES], 0.4, label="declared", color="#9db4c0")
    ax.bar(x + 0.2, [counts["inferred"][r] for r in ROLES], 0.4, label="inferred", color="#22577a")
    ax.set_xticks(x, ROLES)
    ax.set_ylabel("members")
    ax.set_title(f"Who is in the room: {report['members']} members by meetup role "
                 f"({counts['declared']['undeclared']} did not declare)")
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    save(fig, "roles")

    fig, ax = plt.subplots(figsize=(5.6, 4.6))
    im = ax.imshow(taxonomy.synergy, cmap="YlGnBu", vmin=0, vmax=1)
    ax.set_xticks(x, ROLES, rotation=30, ha="right")
    ax.set_yticks(x, ROLES)
    for i in range(len(ROLES)):
        for j in range(len(ROLES)):
            v = taxonomy.synergy[i, j]
            ax.text(j, i, f"{v:.2f}", ha="center", va="center",
                    color="white" if v > 0.6 else "black", fontsize=9)
    ax.set_title("How valuable is an introduction between roles")
    fig.colorbar(im, ax=ax, shrink=0.8, label="synergy")
    save(fig, "synergy")

    ranked = sorted(insights, key=lambda i: i["specificity"])[:12]
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(ranked) + 1))
    ax.barh([i["name"] for i in ranked][::-1], [i["specificity"] for i in ranked][::-1],
            color="#c38d9e")
    ax.set_xlim(0, 1)
    ax.set_xlabel("specificity (0 = vague, 1 = specific)")
    ax.set_title("Least specific specialties: who to coach first")
    ax.spines[["top", "right"]].set_visible(False)
    save(fig, "specificity")
    return written
