"""Every URL pattern of the project, resolved from the URLconf, so tests that
must cover "every page" cannot miss one that is added later."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    pattern: str  # the route string, e.g. "documents/<str:number>/"
    converters: dict  # parameter -> converter class name ("StringConverter", "IntConverter", ...)

    @property
    def params(self) -> list[str]:
        return list(self.converters)

    def build(self, **kwargs) -> str:
        """The path with each <param> replaced by str(kwargs[param])."""
        import re

        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), self.pattern)


def all_routes(*, include_admin: bool = False) -> list[Route]:
    out: list[Route] = []

    def walk(patterns, prefix: str, ns: str, converters: dict):
        for p in patterns:
            route = str(p.pattern)
            conv = {**converters, **{k: type(v).__name__ for k, v in getattr(p.pattern, "converters", {}).items()}}
            if isinstance(p, URLResolver):
                if not include_admin and route.startswith("admin/"):
                    continue
                sub_ns = ":".join(x for x in (ns, p.namespace) if x)
                walk(p.url_patterns, prefix + route, sub_ns, conv)
            elif isinstance(p, URLPattern):
                name = ":".join(x for x in (ns, p.name or "") if x)
                out.append(Route(name=name, pattern=prefix + route, converters=conv))

    walk(get_resolver().url_patterns, "", "", {})
    return out
