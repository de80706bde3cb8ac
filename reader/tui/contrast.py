"""Colours a reader can read in any theme: WCAG 2 contrast, and styles made to
meet AA (4.5:1) against what they are painted on.

A theme's colours are picked for accents, not for text on them: white on its
amber is 2:1. So a highlight keeps the theme's colour as its background and
takes black or white text, whichever contrasts more (one of them always gives
at least 4.58:1); a coloured text without a background is moved toward white
(on a dark ground) or black (on a light one) until it reaches 4.5:1.
"""

from __future__ import annotations

from rich.color import Color
from rich.color_triplet import ColorTriplet
from rich.style import Style

AA = 4.5
BLACK = Color.from_rgb(0, 0, 0)
WHITE = Color.from_rgb(255, 255, 255)


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(color: Color) -> float:
    """WCAG 2 relative luminance (0 black, 1 white)."""
    r, g, b = color.get_truecolor()
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(one: Color, other: Color) -> float:
    """WCAG 2 contrast ratio, 1 to 21."""
    a, b = sorted((luminance(one), luminance(other)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def _blend(color: Color, toward: Color, amount: float) -> Color:
    start, end = color.get_truecolor(), toward.get_truecolor()
    mixed = (round(s + (e - s) * amount) for s, e in zip(start, end, strict=True))
    return Color.from_triplet(ColorTriplet(*mixed))


def text_on(background: Color) -> Color:
    """Black or white, whichever reads better on ``background``."""
    return BLACK if contrast(BLACK, background) >= contrast(WHITE, background) else WHITE


def legible(color: Color, ground: Color) -> Color:
    """``color``, or the nearest mix of it with black or white (away from
    ``ground``) that has AA contrast on ``ground``."""
    toward = text_on(ground)
    for step in range(11):
        mixed = _blend(color, toward, step / 10)
        if contrast(mixed, ground) >= AA:
            return mixed
    return toward


def readable(style: Style, base: Style) -> Style:
    """``style`` painted over ``base`` (the view's own colours), made to read at
    AA: on a background of its own, black or white text; a text colour alone,
    made legible on the base's background."""
    ground = base.bgcolor or BLACK
    if style.bgcolor is not None:
        return style + Style(color=text_on(style.bgcolor))
    if style.color is not None:
        return style + Style(color=legible(style.color, ground))
    return style


def effective(style: Style) -> tuple[Color, Color]:
    """(text, background) of a full style as a terminal paints it (reverse swaps them)."""
    fg, bg = style.color or WHITE, style.bgcolor or BLACK
    return (bg, fg) if style.reverse else (fg, bg)
