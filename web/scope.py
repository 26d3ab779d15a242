"""Region scope: which sites (and so which devices, links, blocks) an account may see.

A user scoped to a site sees that site and every site below it (a county's staff: the county
and its townships). Unscoped users see everything. Every query of network data in the console
and the API goes through a ``Scope``, so the rule lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.models import Site


@dataclass(frozen=True)
class Scope:
    """The sites an account may see; ``site_ids`` None means all of them."""

    site_ids: frozenset[int] | None = None
    root_code: str | None = None

    @property
    def unrestricted(self) -> bool:
        """True for accounts that see the whole network."""
        return self.site_ids is None

    def allows(self, site_id: int | None) -> bool:
        """Whether a site (None: an object bound to no site) is visible."""
        if self.site_ids is None:
            return True
        return site_id is not None and site_id in self.site_ids


def subtree_ids(session: Session, root_id: int) -> frozenset[int]:
    """``root_id`` and the ids of every site below it."""
    children: dict[int | None, list[int]] = {}
    for site_id, parent_id in session.execute(select(Site.id, Site.parent_id)):
        children.setdefault(parent_id, []).append(site_id)
    found = {root_id}
    stack = [root_id]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return frozenset(found)


def scope_for_site(session: Session, site_id: int | None) -> Scope:
    """The scope of an account bound to ``site_id`` (None: everything)."""
    if site_id is None:
        return Scope()
    site = session.get(Site, site_id)
    if site is None:  # the site is gone: see nothing rather than everything
        return Scope(frozenset(), None)
    return Scope(subtree_ids(session, site_id), site.code)
