import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryColumn('text') id!: string;
  @Column({ name: 'project_id', type: 'text', nullable: true }) projectId!: string | null;
  @Column({ name: 'key_type', type: 'text' }) keyType!: 'instance' | 'project';
  @Column('text') name!: string;
  @Column({ name: 'mask_id', type: 'text' }) maskId!: string;
  @Column('text') hash!: string;
  @Column('text') salt!: string;
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true }) expiresAt!: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true }) deletedAt!: Date | null;
}
