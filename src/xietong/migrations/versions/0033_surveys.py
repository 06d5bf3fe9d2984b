"""surveys, survey_questions, survey_audience, survey_responses, survey_answers

Revision ID: 0033
Revises: 0032
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from xietong.core.db import UTCDateTime

revision: str = '0033'
down_revision: str | None = '0032'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{target}.id'],
                                   name=op.f(f'fk_{table}_{column}_{target}'), ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        'surveys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('anonymous', sa.Boolean(), nullable=False),
        sa.Column('creator_id', sa.Integer(), nullable=True),
        sa.Column('audience_kind', sa.String(length=16), nullable=False),
        sa.Column('audience_department_ids', sa.JSON(), nullable=False),
        sa.Column('channel_id', sa.Integer(), nullable=True),
        sa.Column('message_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                  nullable=True),
        sa.Column('deadline', UTCDateTime(), nullable=True),
        sa.Column('closed_at', UTCDateTime(), nullable=True),
        sa.Column('results_published', sa.Boolean(), nullable=False),
        sa.Column('response_count', sa.Integer(), nullable=False),
        sa.Column('audience_size', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        _fk('surveys', 'creator_id', 'users', 'SET NULL'),
        _fk('surveys', 'channel_id', 'channels', 'SET NULL'),
        _fk('surveys', 'message_id', 'messages', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_surveys')),
    )
    op.create_index('ix_surveys_creator_id_id', 'surveys', ['creator_id', 'id'])
    op.create_index(op.f('ix_surveys_channel_id'), 'surveys', ['channel_id'])
    op.create_table(
        'survey_questions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('required', sa.Boolean(), nullable=False),
        sa.Column('options', sa.JSON(), nullable=False),
        _fk('survey_questions', 'survey_id', 'surveys', 'CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_questions')),
    )
    op.create_index('ix_survey_questions_survey_id_position', 'survey_questions',
                    ['survey_id', 'position'])
    op.create_table(
        'survey_audience',
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('answered', sa.Boolean(), nullable=False),
        _fk('survey_audience', 'survey_id', 'surveys', 'CASCADE'),
        _fk('survey_audience', 'user_id', 'users', 'CASCADE'),
        sa.PrimaryKeyConstraint('survey_id', 'user_id', name=op.f('pk_survey_audience')),
    )
    op.create_index(op.f('ix_survey_audience_user_id'), 'survey_audience', ['user_id'])
    op.create_table(
        'survey_responses',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('respondent_id', sa.Integer(), nullable=True),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.Column('submitted_at', UTCDateTime(), nullable=True),
        _fk('survey_responses', 'survey_id', 'surveys', 'CASCADE'),
        _fk('survey_responses', 'respondent_id', 'users', 'SET NULL'),
        _fk('survey_responses', 'department_id', 'departments', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_responses')),
        sa.UniqueConstraint('survey_id', 'respondent_id',
                            name=op.f('uq_survey_responses_survey_id')),
    )
    op.create_index(op.f('ix_survey_responses_survey_id'), 'survey_responses', ['survey_id'])
    op.create_table(
        'survey_answers',
        sa.Column('response_id', sa.String(length=32), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('option_ids', sa.JSON(), nullable=False),
        sa.Column('value', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=True),
        _fk('survey_answers', 'response_id', 'survey_responses', 'CASCADE'),
        _fk('survey_answers', 'question_id', 'survey_questions', 'CASCADE'),
        sa.PrimaryKeyConstraint('response_id', 'question_id', name=op.f('pk_survey_answers')),
    )
    op.create_index(op.f('ix_survey_answers_question_id'), 'survey_answers', ['question_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_survey_answers_question_id'), table_name='survey_answers')
    op.drop_table('survey_answers')
    op.drop_index(op.f('ix_survey_responses_survey_id'), table_name='survey_responses')
    op.drop_table('survey_responses')
    op.drop_index(op.f('ix_survey_audience_user_id'), table_name='survey_audience')
    op.drop_table('survey_audience')
    op.drop_index('ix_survey_questions_survey_id_position', table_name='survey_questions')
    op.drop_table('survey_questions')
    op.drop_index(op.f('ix_surveys_channel_id'), table_name='surveys')
    op.drop_index('ix_surveys_creator_id_id', table_name='surveys')
    op.drop_table('surveys')
