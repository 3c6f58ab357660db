"""TemplateRenderer: jinja2 rendering with the object's class and instance attributes as context.

Base of Test and Service. jinja2 is imported on first render, not at start-up.
"""
from __future__ import annotations

import inspect
import os
from typing import Any

from ducktape.utils.util import package_is_installed


class TemplateRenderer:
    """Render strings or template files with ``self``'s attributes visible as variables."""

    def _get_ctx(self) -> dict:
        """Class attributes (inherited included), overlaid by instance attributes."""
        cls = type(self)
        ctx = {name: getattr(cls, name) for name in dir(cls)}
        ctx.update(self.__dict__)
        return ctx

    def render_template(self, template: Any, **kwargs: Any) -> str:
        """Render *template* (a str or anything with ``.render``); *kwargs* win over attributes."""
        if not hasattr(template, "render"):
            from jinja2 import Template

            template = Template(template)
        return template.render(self._get_ctx(), **kwargs)

    @staticmethod
    def _package_search_path(module_name: str) -> tuple[str, str]:
        """For ``a.b.c.mod`` return (``a``, ``b/c/templates``): where PackageLoader looks."""
        parts = module_name.split(".")
        return parts[0], os.path.join(*parts[1:-1], "templates") if len(parts) > 2 else "templates"

    def _make_template_env(self) -> None:
        from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader

        cls = type(self)
        class_dir = os.path.dirname(inspect.getfile(cls))
        package, search_path = self._package_search_path(cls.__module__)
        loaders = []
        if os.path.isdir(class_dir):
            loaders.append(FileSystemLoader(os.path.join(class_dir, "templates")))
        if package_is_installed(package):
            loaders.append(PackageLoader(package, search_path))
        if not loaders:
            raise OSError(f"no template directory for {cls.__module__}.{cls.__name__}: "
                          f"{class_dir} is not a directory and package {package} cannot be imported")
        self.template_loader = ChoiceLoader(loaders)
        self.template_env = Environment(loader=self.template_loader, trim_blocks=True, lstrip_blocks=True)

    def render(self, path: str, **kwargs: Any) -> str:
        """Render the template file *path*, found under ``templates/`` beside the concrete class."""
        if not hasattr(self, "template_loader"):
            self._make_template_env()
        return self.render_template(self.template_env.get_template(path), **kwargs)
