"""The history every controlled object keeps (django-simple-history), with one change.

When a model keeps the state of its many-to-many fields in its history
(`m2m_fields`), the library copies the through rows into each new history row
by way of `history_instance.instance`, which rebuilds the object from the
history row and, for a model with `excluded_fields`, asks the database for
those fields again: once per many-to-many field, on every save. A document
(three such fields, its search vector excluded) paid three extra queries and
three joined reads per save; a user (its groups; password excluded) one.
Here the through rows are read by the saved object's key, ids only, and copied
as they are: the same rows, the same signals, no extra query.

`created_in_one_row` serves code that builds an object in several saves (an
import: the row, then its many-to-many fields, then the links to what was
created after it): the steps are saved without history and the object's
history starts with one "created" row holding its finished state.
"""

from __future__ import annotations

from simple_history import models as history_models
from simple_history import utils as history_utils
from simple_history.signals import post_create_historical_m2m_records, pre_create_historical_m2m_records


class HistoricalRecords(history_models.HistoricalRecords):
    def contribute_to_class(self, cls, name):
        super().contribute_to_class(cls, name)
        cls._qms_history = self

    def create_historical_record_m2ms(self, history_instance, instance):
        for field in history_instance._history_m2m_fields:
            m2m_history_model = self.m2m_models[field]
            through = field.remote_field.through
            names = [f.attname for f in through._meta.fields]
            source = history_utils.get_m2m_field_name(field)
            rows = [
                m2m_history_model(history=history_instance, **dict(zip(names, values, strict=True)))
                for values in through.objects.filter(**{source: instance.pk}).values_list(*names)
            ]
            pre_create_historical_m2m_records.send(
                sender=m2m_history_model, rows=rows, history_instance=history_instance, instance=instance, field=field,
            )
            created = m2m_history_model.objects.bulk_create(rows) if rows else []
            post_create_historical_m2m_records.send(
                sender=m2m_history_model, created_rows=created, history_instance=history_instance, instance=instance,
                field=field,
            )


def created_in_one_row(instance) -> None:
    """The one history row ("+", created) of an object whose saves so far skipped history
    (`instance.skip_history_when_saving = True`); later saves record history again."""
    if hasattr(instance, "skip_history_when_saving"):
        del instance.skip_history_when_saving
    type(instance)._qms_history.create_historical_record(instance, "+")
