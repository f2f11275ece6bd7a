"""Door-opener contacts; event attendances remember their timeline entry; events get a version.

Reviewed: door_opener_contacts mirrors activities for contacts with the door-opener itself;
events.version gets a server default so existing rows are valid.

Revision ID: 854b9a1727da
Revises: e9d54b7f8731
Create Date: 2026-11-27 08:52:02.194986

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '854b9a1727da'
down_revision = 'e9d54b7f8731'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('door_opener_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('door_opener_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('visit', 'call', 'email', 'event', 'letter', 'online_meeting', name='door_opener_contact_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('next_step', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['door_opener_id'], ['door_openers.id'], name=op.f('fk_door_opener_contacts_door_opener_id_door_openers')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_door_opener_contacts_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_door_opener_contacts'))
    )
    with op.batch_alter_table('door_opener_contacts', schema=None) as batch_op:
        batch_op.create_index('ix_door_opener_contacts_door_opener', ['door_opener_id', 'occurred_at'], unique=False)

    with op.batch_alter_table('event_attendances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('activity_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_event_attendances_activity_id_activities'), 'activities', ['activity_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_event_attendances_created_by_id_users'), 'users', ['created_by_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))



def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('version')

    with op.batch_alter_table('event_attendances', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_event_attendances_created_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_event_attendances_activity_id_activities'), type_='foreignkey')
        batch_op.drop_column('created_by_id')
        batch_op.drop_column('activity_id')

    with op.batch_alter_table('door_opener_contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_door_opener_contacts_door_opener')

    op.drop_table('door_opener_contacts')
