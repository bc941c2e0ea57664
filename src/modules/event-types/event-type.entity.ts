import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'event_types' })
export class EventTypeEntity {
  @PrimaryColumn('text') id!: string;
  @Column({ name: 'project_id', type: 'text' }) projectId!: string;
  @Column('text') name!: string;
  @Column('text') description!: string;
  @Column('text') category!: string;
  @Column({ name: 'json_schema', type: 'jsonb', nullable: true }) jsonSchema!: Record<string, unknown> | null;
  @Column({ name: 'deprecated_at', type: 'timestamptz', nullable: true }) deprecatedAt!: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
