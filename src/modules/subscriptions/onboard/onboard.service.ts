import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/errors/domain-error';
import { EndpointsService } from '../../endpoints';
import { SubscriptionsService } from '../subscriptions.service';
import type { BulkOnboardAcceptedResponseDto, BulkOnboardDryRunResponseDto, OnboardItemDto, OnboardValidationErrorDto } from './onboard.dto';

const EVENT_TYPE = /^[A-Za-z0-9_.:*\-/]{1,200}$/;

/**
 * Convoy's bulk onboarding: many customers at once, each an endpoint and a subscription
 * to one event type. Every item is checked first (a dry run stops there); with any
 * problem nothing is created, so a file with one bad row can be fixed and sent again.
 * Items are created one after the other in this request, not in a background batch.
 */
@Injectable()
export class OnboardService {
  constructor(
    private readonly endpoints: EndpointsService,
    private readonly subscriptions: SubscriptionsService,
  ) {}

  async validate(projectId: string, items: OnboardItemDto[]): Promise<BulkOnboardDryRunResponseDto> {
    const errors: OnboardValidationErrorDto[] = [];
    for (const [row, item] of items.entries()) {
      if (!item.name?.trim()) errors.push({ row, field: 'name', message: 'name is required' });
      if (!item.url) errors.push({ row, field: 'url', message: 'url is required' });
      else {
        const problem = await this.endpoints.urlProblem(projectId, item.url);
        if (problem) errors.push({ row, field: 'url', message: problem });
      }
      if (!item.event_type || !EVENT_TYPE.test(item.event_type))
        errors.push({ row, field: 'event_type', message: 'event_type must be 1-200 characters of letters, digits and _ . : - / *' });
      if (!!item.auth_username !== !!item.auth_password) errors.push({ row, field: 'auth_username', message: 'auth_username and auth_password go together' });
    }
    const bad = new Set(errors.map((e) => e.row));
    return { total_rows: items.length, valid_count: items.length - bad.size, errors };
  }

  async onboard(projectId: string, items: OnboardItemDto[]): Promise<BulkOnboardAcceptedResponseDto> {
    const check = await this.validate(projectId, items);
    if (check.errors.length) {
      throw new DomainError(
        'bad_request',
        'invalid_onboard_items',
        `${check.errors.length} problem(s) in ${items.length - check.valid_count} item(s); nothing was created`,
        {
          errors: check.errors,
        },
      );
    }
    for (const item of items) {
      const endpoint = await this.endpoints.create(projectId, {
        name: item.name!.trim(),
        url: item.url!,
        ...(item.auth_username ? { authentication: { type: 'basic_auth', basic_auth: { username: item.auth_username, password: item.auth_password! } } } : {}),
      });
      await this.subscriptions.create(projectId, {
        name: `${endpoint.name.slice(0, 180)}-subscription`,
        endpoint_id: endpoint.id,
        filter_config: { event_types: [item.event_type!], filter: { headers: {}, body: {} } },
      });
    }
    return { batch_count: items.length ? 1 : 0, message: `${items.length} endpoint(s) onboarded`, total_items: items.length };
  }
}
