import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ProjectConfig } from './project-config';

@Entity({ name: 'projects' })
export class ProjectEntity {
  @PrimaryColumn('text') id!: string;
  @Column('text') name!: string;
  @Column('text') type!: 'outgoing' | 'incoming';
  @Column({ name: 'logo_url', type: 'text' }) logoUrl!: string;
  @Column('jsonb') config!: ProjectConfig;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true }) deletedAt!: Date | null;
}
