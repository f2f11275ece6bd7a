"""The ``flask crm ...`` command group; each feature's cli module adds its commands to it."""

from flask.cli import AppGroup

crm_cli = AppGroup("crm", help="Verwaltungsbefehle des CRM.")
