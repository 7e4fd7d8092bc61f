"""Pick one of a paper's links to open (when it has more than one)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.links import Link


class LinkPicker(ModalScreen[Link | None]):
    BINDINGS = [Binding("escape,q", "cancel", "Cancel")]
    DEFAULT_CSS = """
    LinkPicker {
        align: center middle;
        & > OptionList { width: 90; max-width: 100%; height: auto; max-height: 80%;
                         border: round $accent; }
    }
    """

    def __init__(self, links: list[Link]) -> None:
        super().__init__()
        self.links = links

    def compose(self) -> ComposeResult:
        yield OptionList(*(
            Option(Content.assemble((f"{link.label:<9}", "bold"), link.url), id=str(number))
            for number, link in enumerate(self.links)
        ))

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.border_title = "Open which link?"
        options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.links[int(event.option.id)])

    def action_cancel(self) -> None:
        self.dismiss(None)
