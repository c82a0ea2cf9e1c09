/**
 * Store information, v2 (`GET /v2/store`): the store's profile and, what a
 * client reads it for, its default currency. BigCommerce documents the
 * endpoint ("Get Store Information") with `currency` as the default currency
 * code (ISO 4217) and its display settings beside it; catalog prices are in
 * that currency. upstreams.md does not list this endpoint: the fields below
 * follow the vendor's reference, the values are the sandbox's own.
 */
import type { FastifyInstance } from 'fastify';
import type { BigCommerceSandboxOptions } from '../options.js';

const SYMBOLS: Readonly<Record<string, string>> = { USD: '$', CAD: '$', AUD: '$', EUR: '€', GBP: '£', JPY: '¥' };

export function registerStoreRoutes(app: FastifyInstance, base: string, options: BigCommerceSandboxOptions): void {
  app.get(`${base}/v2/store`, async (request) => ({
    id: options.storeHash,
    domain: 'sandbox.example',
    secure_url: `${request.protocol}://${request.headers.host ?? 'localhost'}`,
    status: 'live',
    name: 'Crossdock Sandbox Store',
    country: 'United States',
    country_code: 'US',
    language: 'en',
    currency: options.currency,
    currency_symbol: SYMBOLS[options.currency] ?? options.currency,
    decimal_separator: '.',
    thousands_separator: ',',
    decimal_places: options.currency === 'JPY' ? 0 : 2,
    currency_symbol_location: 'left',
    weight_units: 'Ounces',
    dimension_units: 'Inches',
    plan_name: 'Standard',
  }));
}
