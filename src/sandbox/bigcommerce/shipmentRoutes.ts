/**
 * v2 order shipments, written from BigCommerce's Orders v2 reference
 * ("Order Shipments"; upstreams.md lists only the orders themselves):
 *
 * - `POST /v2/orders/{id}/shipments` requires `order_address_id` (one of the
 *   order's shipping addresses) and `items: [{order_product_id, quantity}]`;
 *   `tracking_number` is at most 50 characters; `shipping_method`,
 *   `shipping_provider`, `tracking_carrier`, `tracking_link` and `comments`
 *   are optional. 201 with the shipment; the order becomes Shipped once every
 *   item has shipped, Partially Shipped before.
 * - `GET /v2/orders/{id}/shipments` is a bare array, 204 when there is none
 *   (as every v2 list); `GET /v2/orders/{id}/shipments/{shipment_id}` one.
 *
 * Sandbox choices (the vendor's exact texts are not published): an invalid
 * body, an unknown line or address, or more units than are left to ship is
 * 400 with a v2 error array.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { shipmentWire, shippingAddressId } from './orderWire.js';
import type { OrderStore } from './orders.js';
import { v2Error } from './wire.js';

const shipmentSchema = z.object({
  order_address_id: z.number().int(),
  items: z.array(z.object({ order_product_id: z.number().int(), quantity: z.number().int().min(1) })).min(1),
  tracking_number: z.string().max(50).optional(),
  shipping_method: z.string().max(250).optional(),
  shipping_provider: z.string().max(100).optional(),
  tracking_carrier: z.string().max(100).optional(),
  tracking_link: z.string().max(2_000).optional(),
  comments: z.string().max(65_535).optional(),
});

const NOT_FOUND = v2Error(404, 'The requested resource was not found.');

export function registerShipmentRoutes(app: FastifyInstance, base: string, orders: OrderStore): void {
  app.get<{ Params: { id: string } }>(`${base}/v2/orders/:id/shipments`, async (request, reply) => {
    const order = orders.get(Number(request.params.id));
    if (!order) return reply.code(404).send(NOT_FOUND);
    if (order.shipments.length === 0) return reply.code(204).send();
    return order.shipments.map((s) => shipmentWire(order, s));
  });

  app.get<{ Params: { id: string; shipmentId: string } }>(`${base}/v2/orders/:id/shipments/:shipmentId`, async (request, reply) => {
    const order = orders.get(Number(request.params.id));
    const shipment = order?.shipments.find((s) => s.id === Number(request.params.shipmentId));
    if (!order || !shipment) return reply.code(404).send(NOT_FOUND);
    return shipmentWire(order, shipment);
  });

  app.post<{ Params: { id: string } }>(`${base}/v2/orders/:id/shipments`, async (request, reply) => {
    const id = Number(request.params.id);
    const order = orders.get(id);
    if (!order) return reply.code(404).send(NOT_FOUND);
    const parsed = shipmentSchema.safeParse(request.body ?? {});
    if (!parsed.success) {
      const field = parsed.error.issues[0]?.path.join('.') || 'body';
      return reply.code(400).send(v2Error(400, `The field '${field}' is invalid.`));
    }
    const body = parsed.data;
    if (body.order_address_id !== shippingAddressId(order)) return reply.code(400).send(v2Error(400, `The field 'order_address_id' is invalid.`));
    const items = [];
    for (const item of body.items) {
      const line = order.lines.find((l) => l.id === item.order_product_id);
      if (!line) return reply.code(400).send(v2Error(400, `The field 'items.order_product_id' is invalid.`));
      const left = line.quantity - orders.shippedOf(order, line.id) - items.filter((i) => i.order_product_id === line.id).reduce((n, i) => n + i.quantity, 0);
      if (item.quantity > left) return reply.code(400).send(v2Error(400, `The quantity specified is greater than the quantity of the product that is available to ship.`));
      items.push({ order_product_id: line.id, product_id: line.product_id, quantity: item.quantity });
    }
    const shipment = orders.addShipment(id, {
      order_address_id: body.order_address_id,
      tracking_number: body.tracking_number ?? '',
      shipping_method: body.shipping_method ?? '',
      shipping_provider: body.shipping_provider ?? '',
      tracking_carrier: body.tracking_carrier ?? '',
      tracking_link: body.tracking_link ?? '',
      comments: body.comments ?? '',
      items,
    });
    const updated = orders.get(id);
    if (!shipment || !updated) return reply.code(404).send(NOT_FOUND);
    return reply.code(201).send(shipmentWire(updated, shipment));
  });
}
