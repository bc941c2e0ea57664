import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import type { RenderedNotification } from './notification-templates';

export interface MailOutcome {
  ok: boolean;
  /** false for an SMTP 5xx answer (the server will never take this message) */
  retryable: boolean;
  error: string;
}

/** Transport options from SMTP_URL: `smtps:` is TLS from the start, `smtp:` upgrades with STARTTLS when offered. */
export function smtpOptions(url: string, timeoutMs: number): SMTPTransport.Options {
  const u = new URL(url);
  const secure = u.protocol === 'smtps:';
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    secure,
    auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  };
}

/**
 * Notification email through the operator's SMTP server (SMTP_URL). The server is part
 * of the operator's own infrastructure, like DATABASE_URL, so it is dialled directly,
 * not through the endpoints' SSRF policy (which would refuse a relay on the private
 * network, where it usually is).
 */
@Injectable()
export class Mailer implements OnApplicationShutdown {
  private transport?: Transporter;

  constructor(@Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig) {}

  get enabled(): boolean {
    return this.config.smtpUrl !== undefined;
  }

  async send(to: string, message: RenderedNotification): Promise<MailOutcome> {
    const url = this.config.smtpUrl;
    if (!url) return { ok: false, retryable: false, error: 'SMTP_URL is not set' };
    this.transport ??= createTransport(smtpOptions(url, this.config.notifyTimeoutMs));
    try {
      await this.transport.sendMail({ from: this.config.smtpFrom, to, subject: message.subject, text: message.text, html: message.html });
      return { ok: true, retryable: false, error: '' };
    } catch (e) {
      const code = (e as { responseCode?: number }).responseCode;
      return { ok: false, retryable: !(typeof code === 'number' && code >= 500), error: e instanceof Error ? e.message : String(e) };
    }
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}
