/**
 * Product custom fields as BigCommerce keeps them (Catalog API, "Product
 * Custom Fields"): a field is identified by its id, names may repeat, and
 * every name-value pair is unique within a product; at most 200 fields per
 * product, name and value at most 250 characters. A product update's
 * `custom_fields` item with an `id` changes that field, one without adds a
 * field; `DELETE /v3/catalog/products/{id}/custom-fields/{custom_field_id}`
 * removes one (204).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectV3Error, startStore, type Store } from './bigcommerce-support.js';

let s: Store;
beforeAll(async () => {
  s = await startStore();
});
afterAll(async () => s?.close());

async function newProduct(sku: string, custom_fields: Array<{ name: string; value: string }>) {
  const res = await s.call('POST', '/v3/catalog/products', { name: `Custom field test ${sku}`, type: 'physical', weight: 1, price: 5, sku, custom_fields });
  expect(res.status).toBe(200);
  return res.body.data.id as number;
}

async function fields(id: number): Promise<Array<{ id: number; name: string; value: string }>> {
  return (await s.get(`/v3/catalog/products/${id}?include=custom_fields`)).body.data.custom_fields;
}

describe('custom fields', () => {
  it('keeps several fields with the same name (one per vehicle), and an update without id adds one', async () => {
    const id = await newProduct('CF-1', [
      { name: 'Fits', value: '2018 Freightliner Cascadia' },
      { name: 'Fits', value: '2019 Kenworth T680' },
    ]);
    expect((await fields(id)).map((f) => f.value)).toEqual(['2018 Freightliner Cascadia', '2019 Kenworth T680']);
    const put = await s.call('PUT', '/v3/catalog/products', [{ id, custom_fields: [{ name: 'Fits', value: '2020 Mack Anthem' }] }]);
    expect(put.status).toBe(200);
    expect((await fields(id)).map((f) => `${f.name}=${f.value}`)).toEqual(['Fits=2018 Freightliner Cascadia', 'Fits=2019 Kenworth T680', 'Fits=2020 Mack Anthem']);
  });

  it('an update with an id changes that field only', async () => {
    const id = await newProduct('CF-2', [
      { name: 'Fits', value: '2018 Freightliner Cascadia' },
      { name: 'Fits', value: '2019 Kenworth T680' },
    ]);
    const [first, second] = await fields(id);
    const put = await s.call('PUT', `/v3/catalog/products/${id}`, { custom_fields: [{ id: second!.id, name: 'Fits', value: '2021 Volvo VHD' }] });
    expect(put.status).toBe(200);
    expect(await fields(id)).toEqual([first, { id: second!.id, name: 'Fits', value: '2021 Volvo VHD' }]);
  });

  it('refuses a name-value pair the product already has, and an unknown field id', async () => {
    const id = await newProduct('CF-3', [{ name: 'Fits', value: '2018 Freightliner Cascadia' }]);
    const dup = await s.call('PUT', `/v3/catalog/products/${id}`, { custom_fields: [{ name: 'Fits', value: '2018 Freightliner Cascadia' }] });
    expect(dup.status).toBe(422);
    expectV3Error(dup.body, 422);
    const unknown = await s.call('PUT', `/v3/catalog/products/${id}`, { custom_fields: [{ id: 999_999_999, name: 'Fits', value: 'x' }] });
    expect(unknown.status).toBe(422);
    expect(await fields(id)).toHaveLength(1);
    const dupCreate = await s.call('POST', '/v3/catalog/products', {
      name: 'dup', type: 'physical', weight: 1, price: 1, sku: 'CF-3b',
      custom_fields: [{ name: 'Fits', value: 'a' }, { name: 'Fits', value: 'a' }],
    });
    expect(dupCreate.status).toBe(422);
  });

  it('refuses more than 200 fields on a product', async () => {
    const many = Array.from({ length: 201 }, (_, i) => ({ name: 'Fits', value: `v${i}` }));
    const res = await s.call('POST', '/v3/catalog/products', { name: 'many', type: 'physical', weight: 1, price: 1, sku: 'CF-4', custom_fields: many });
    expect(res.status).toBe(422);
    const ok = await newProduct('CF-4b', many.slice(0, 200));
    expect(await fields(ok)).toHaveLength(200);
    const more = await s.call('PUT', `/v3/catalog/products/${ok}`, { custom_fields: [{ name: 'Fits', value: 'one more' }] });
    expect(more.status).toBe(422);
  });

  it('DELETE …/custom-fields/{id} removes one field (204); an unknown one is 404', async () => {
    const id = await newProduct('CF-5', [
      { name: 'Fits', value: '2018 Freightliner Cascadia' },
      { name: 'Fits', value: '2019 Kenworth T680' },
    ]);
    const [first, second] = await fields(id);
    const del = await s.call('DELETE', `/v3/catalog/products/${id}/custom-fields/${first!.id}`);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expect(await fields(id)).toEqual([second]);
    const again = await s.call('DELETE', `/v3/catalog/products/${id}/custom-fields/${first!.id}`);
    expect(again.status).toBe(404);
    expectV3Error(again.body, 404);
    const noProduct = await s.call('DELETE', `/v3/catalog/products/1/custom-fields/${second!.id}`);
    expect(noProduct.status).toBe(404);
  });
});
