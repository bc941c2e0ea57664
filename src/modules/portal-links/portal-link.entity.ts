import { Column, Entity, PrimaryColumn } from 'typeorm';

export type PortalAuthType = 'static_token' | 'refresh_token';

@Entity({ name: 'portal_links' })
export class PortalLinkEntity {
  @PrimaryColumn('text') id!: string;
  @Column({ name: 'project_id', type: 'text' }) projectId!: string;
  @Column('text') name!: string;
  /** the link sees the project's endpoints with this owner id, and what was sent to them */
  @Column({ name: 'owner_id', type: 'text' }) ownerId!: string;
  @Column({ name: 'auth_type', type: 'text' }) authType!: PortalAuthType;
  @Column({ name: 'can_manage_endpoint', type: 'boolean' }) canManageEndpoint!: boolean;
  /** Convoy's deprecated list, kept as sent: the endpoints it named were given the link's owner id */
  @Column('text', { array: true }) endpoints!: string[];
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true }) deletedAt!: Date | null;
}

@Entity({ name: 'portal_link_tokens' })
export class PortalLinkTokenEntity {
  @PrimaryColumn('text') id!: string;
  @Column({ name: 'portal_link_id', type: 'text' }) portalLinkId!: string;
  /** the link's auth type when the token was issued; a token of another type does not open it */
  @Column('text') kind!: PortalAuthType;
  @Column({ name: 'mask_id', type: 'text' }) maskId!: string;
  @Column('text') salt!: string;
  @Column('text') hash!: string;
  /** null for static tokens */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true }) expiresAt!: Date | null;
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true }) revokedAt!: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
