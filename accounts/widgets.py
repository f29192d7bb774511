from django import forms

from core.choices import DAYS, PARTS_OF_DAY


class AvailabilityGrid(forms.CheckboxSelectMultiple):
    """A week as a grid: one row a day, one column each for morning, afternoon and evening."""

    template_name = "includes/widgets/availability_grid.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chosen = set(value or [])
        context["widget"]["parts"] = PARTS_OF_DAY
        context["widget"]["grid_caption"] = "Tick the times you are usually free"
        context["widget"]["rows"] = [
            {
                "day": day_name,
                "cells": [
                    {
                        "value": f"{day}-{part}",
                        "label": f"{day_name} {part_name}",
                        "checked": f"{day}-{part}" in chosen,
                    }
                    for part, part_name in PARTS_OF_DAY
                ],
            }
            for day, day_name in DAYS
        ]
        return context
