/**
 * The composition list: every upstream the gateway knows, in one place. A new
 * upstream is a folder under src/connectors/ (its config slice, clients,
 * health, sandbox twin) and one line here (README, "Adding a connector").
 */
import type { AnyConnector } from './connectors/connector.js';
import { bigCommerceConnector } from './connectors/bigcommerce/index.js';
import { finditPartsConnector } from './connectors/finditparts/index.js';
import { ionConnector } from './connectors/ion/index.js';
import { shopifyConnector } from './connectors/shopify/index.js';
import { tiktokConnector } from './connectors/tiktok/index.js';
import { whatsAppConnector } from './connectors/whatsapp/index.js';

export const CONNECTORS: readonly AnyConnector[] = [finditPartsConnector, bigCommerceConnector, ionConnector, shopifyConnector, tiktokConnector, whatsAppConnector];
