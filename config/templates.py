"""Template tags whose output is fixed, rendered once and kept.

`{% translate "Dashboard" %}`, `{% url 'quiz:home' %}` and `{% static 'css/x.css' %}`
with only literal arguments give the same text on every request: what changes
it is the active language, the URL prefix and URLconf, the current app, whether
the context escapes, and the settings (the static files' storage). Django works
each out again on every render: on the attempt page, about half of the template
time. The loader below replaces such nodes, once per compiled template, with a
node that renders the original one the first time for each of those inputs and
keeps the text (per process; nothing about a user or a request is in it).

A tag with any variable, filter or `as` is left as it is.
"""

from django.core.signals import setting_changed
from django.template import Node, NodeList
from django.template.base import FilterExpression, Variable
from django.template.defaulttags import IfNode, URLNode
from django.template.loaders import cached
from django.templatetags.i18n import TranslateNode
from django.templatetags.static import StaticNode
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language

# Bumped when a setting changes (tests override settings): nothing kept before
# is used after.
_generation = 0


def _settings_changed(**kwargs) -> None:
    global _generation
    _generation += 1


setting_changed.connect(_settings_changed)


def _literal(expression: FilterExpression | None) -> bool:
    """A literal string or number without filters (or no expression at all)."""
    if expression is None:
        return True
    if expression.filters:
        return False
    var = expression.var
    if isinstance(var, Variable):
        return var.literal is not None and var.lookups is None
    return not expression.is_var


def fixed(node: Node) -> bool:
    """Does the node's output depend on nothing but the inputs of Kept's key?"""
    if isinstance(node, TranslateNode):
        return (
            node.asvar is None
            and _literal(node.filter_expression)
            and isinstance(node.filter_expression.var.literal, str)
            and _literal(node.message_context)
        )
    if isinstance(node, URLNode):
        return (
            node.asvar is None
            and _literal(node.view_name)
            and all(_literal(arg) for arg in node.args)
            and all(_literal(arg) for arg in node.kwargs.values())
        )
    if isinstance(node, StaticNode):
        return node.varname is None and _literal(node.path)
    return False


def _current_app(context) -> str | None:
    """What URLNode passes to reverse() as the current app."""
    request = getattr(context, "request", None)
    try:
        return request.current_app  # type: ignore[union-attr]
    except AttributeError:
        try:
            return request.resolver_match.namespace  # type: ignore[union-attr]
        except AttributeError:
            return None


def _translation_key(context) -> tuple:
    # A literal's translation is marked safe: escaping never changes it.
    return (_generation, get_language())


def _static_key(context) -> tuple:
    # The storage's URL is fixed when it is made (settings changes make another).
    return (_generation, context.autoescape)


def _url_key(context) -> tuple:
    return (
        _generation,
        get_language(),  # i18n_patterns
        context.autoescape,
        get_script_prefix(),
        get_urlconf(),
        _current_app(context),
    )


class Kept(Node):
    """A fixed node, rendered once per what its output depends on (the
    language; the URL prefix, URLconf and current app; escaping; the settings)
    and kept."""

    child_nodelists = ()

    def __init__(self, node: Node) -> None:
        self.node = node
        self.token = node.token
        self.origin = node.origin
        self.outputs: dict[tuple, str] = {}
        if isinstance(node, TranslateNode):
            self.key = _translation_key
        elif isinstance(node, StaticNode):
            self.key = _static_key
        else:
            self.key = _url_key

    def __repr__(self) -> str:
        return f"<Kept {self.node!r}>"

    def render(self, context) -> str:
        key = self.key(context)
        try:
            return self.outputs[key]
        except KeyError:
            output = self.outputs[key] = self.node.render(context)
            return output


def _nodelists(node: Node) -> list[NodeList]:
    if isinstance(node, IfNode):  # its `nodelist` is a copy
        return [nodelist for _condition, nodelist in node.conditions_nodelists]
    return [
        nodelist
        for attr in node.child_nodelists
        if isinstance(nodelist := getattr(node, attr, None), NodeList)
    ]


def keep_fixed(nodelist: NodeList) -> int:
    """Replace the fixed nodes of a compiled template, at any depth, in place;
    how many were replaced."""
    replaced = 0
    for index, node in enumerate(nodelist):
        if fixed(node):
            nodelist[index] = Kept(node)
            replaced += 1
        else:
            for child in _nodelists(node):
                replaced += keep_fixed(child)
    return replaced


class Loader(cached.Loader):
    """The cached loader, with the fixed nodes of each template it compiles
    kept (settings.TEMPLATES names it)."""

    def get_template(self, template_name, skip=None):
        template = super().get_template(template_name, skip)
        if not getattr(template, "fixed_kept", False):
            keep_fixed(template.nodelist)
            template.fixed_kept = True
        return template
