<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="tr_TR" sourcelanguage="en">
<context>
    <name>AlarmMonitor</name>
    <message>
        <source>n11-desktop alarms</source>
        <translation>n11-desktop alarmları</translation>
    </message>
    <message>
        <source>Alarm: %1</source>
        <translation>Alarm: %1</translation>
    </message>
</context>
<context>
    <name>AlarmsTab</name>
    <message>
        <source>&lt;b&gt;Alarms&lt;/b&gt;</source>
        <translation>&lt;b&gt;Alarmlar&lt;/b&gt;</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Durum</translation>
    </message>
    <message>
        <source>● FIRING</source>
        <translation>● TETİKLENDİ</translation>
    </message>
    <message>
        <source>ok</source>
        <translation>normal</translation>
    </message>
    <message>
        <source>disabled</source>
        <translation>devre dışı</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Ad</translation>
    </message>
    <message>
        <source>Condition</source>
        <translation>Koşul</translation>
    </message>
    <message>
        <source>Last fired (UTC)</source>
        <translation>Son tetiklenme (UTC)</translation>
    </message>
    <message>
        <source>New alarm</source>
        <translation>Yeni alarm</translation>
    </message>
    <message>
        <source>Disable</source>
        <translation>Devre dışı bırak</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Sil</translation>
    </message>
    <message>
        <source>Check now</source>
        <translation>Şimdi kontrol et</translation>
    </message>
    <message>
        <source>&lt;b&gt;History&lt;/b&gt;</source>
        <translation>&lt;b&gt;Geçmiş&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Fired (UTC)</source>
        <translation>Tetiklenme (UTC)</translation>
    </message>
    <message>
        <source>Cleared (UTC)</source>
        <translation>Temizlenme (UTC)</translation>
    </message>
    <message>
        <source>still firing</source>
        <translation>hâlâ tetikli</translation>
    </message>
    <message>
        <source>Alarm</source>
        <translation>Alarm</translation>
    </message>
    <message>
        <source>What happened</source>
        <translation>Ne oldu</translation>
    </message>
    <message>
        <source>e.g. Stock not sent for 30 minutes</source>
        <translation>ör. 30 dakikadır stok gönderilmedi</translation>
    </message>
    <message>
        <source>Any flow</source>
        <translation>Herhangi bir akış</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>Etkin</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Tür</translation>
    </message>
    <message>
        <source>Flow</source>
        <translation>Akış</translation>
    </message>
    <message>
        <source>Create alarm</source>
        <translation>Alarm oluştur</translation>
    </message>
    <message>
        <source>An alarm fires once when its condition starts to hold (shown in the status bar, here and as a desktop notification) and clears by itself when the condition no longer holds. Conditions are checked every minute and after every flow run.</source>
        <translation>Bir alarm, koşulu gerçekleşmeye başladığında bir kez tetiklenir (durum çubuğunda, burada ve masaüstü bildirimi olarak gösterilir) ve koşul ortadan kalkınca kendiliğinden temizlenir. Koşullar her dakika ve her akış çalışmasından sonra kontrol edilir.</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#c0392b&apos;&gt;&lt;b&gt;%1 alarm(s) firing:&lt;/b&gt; </source>
        <translation>&lt;span style=&apos;color:#c0392b&apos;&gt;&lt;b&gt;%1 alarm tetiklendi:&lt;/b&gt; </translation>
    </message>
    <message>
        <source>All alarms are quiet.</source>
        <translation>Tüm alarmlar sakin.</translation>
    </message>
    <message>
        <source>No alarms yet. Create one on the right: for example, when a flow keeps failing.</source>
        <translation>Henüz alarm yok. Sağdan bir tane oluşturun: örneğin bir akış sürekli başarısız olduğunda.</translation>
    </message>
    <message>
        <source>Edit alarm: %1</source>
        <translation>Alarmı düzenle: %1</translation>
    </message>
    <message>
        <source>Save changes</source>
        <translation>Değişiklikleri kaydet</translation>
    </message>
    <message>
        <source>Enable</source>
        <translation>Etkinleştir</translation>
    </message>
</context>
<context>
    <name>CancellationMapEditor</name>
    <message>
        <source>No reasons known yet</source>
        <translation>Henüz bilinen neden yok</translation>
    </message>
    <message>
        <source>N11 reason id or code</source>
        <translation>N11 neden numarası veya kodu</translation>
    </message>
    <message>
        <source>The reason exactly as N11 sends it in claims (an id such as 501 or a code such as VAZGECTIM)</source>
        <translation>N11&apos;in taleplerde gönderdiği haliyle neden (501 gibi bir numara veya VAZGECTIM gibi bir kod)</translation>
    </message>
    <message>
        <source>Pick</source>
        <translation>Seç</translation>
    </message>
    <message>
        <source>Reasons seen in claims so far and N11&apos;s reason list</source>
        <translation>Şimdiye kadar taleplerde görülen nedenler ve N11&apos;in neden listesi</translation>
    </message>
</context>
<context>
    <name>CategoryOverrideDialog</name>
    <message>
        <source>Set N11 category</source>
        <translation>N11 kategorisi belirle</translation>
    </message>
    <message>
        <source>the selected product</source>
        <translation>seçili ürünü</translation>
    </message>
    <message>
        <source>the %1 selected products</source>
        <translation>seçili %1 ürünü</translation>
    </message>
    <message>
        <source>Put %1 in this N11 leaf category, whatever their local category maps to. Use it when N11 says “The product is listed in the category … with category ID …”: enter that ID and the product is resent with it.</source>
        <translation>Yerel kategorisi neyle eşleşirse eşleşsin, %1 bu N11 alt kategorisine koyun. N11 “Ürün … kategorisinde, kategori ID …” dediğinde kullanın: o ID&apos;yi girin, ürün bu kategoriyle yeniden gönderilir.</translation>
    </message>
    <message>
        <source>Search leaf categories by name, path or id…</source>
        <translation>Alt kategorileri ada, yola veya ID&apos;ye göre ara…</translation>
    </message>
    <message>
        <source>N11 leaf category id, e.g. 1000722</source>
        <translation>N11 alt kategori ID&apos;si, ör. 1000722</translation>
    </message>
    <message>
        <source>N11 category id:</source>
        <translation>N11 kategori ID&apos;si:</translation>
    </message>
    <message>
        <source>Set category</source>
        <translation>Kategoriyi belirle</translation>
    </message>
    <message>
        <source>No N11 category tree yet (run Category Node); you can still type an id.</source>
        <translation>Henüz N11 kategori ağacı yok (Kategori Ağacı akışını çalıştırın); yine de bir ID yazabilirsiniz.</translation>
    </message>
    <message>
        <source>%1 leaves match; showing the first %2</source>
        <translation>%1 alt kategori eşleşiyor; ilk %2 gösteriliyor</translation>
    </message>
    <message>
        <source>%1 of %2 leaves</source>
        <translation>%1 / %2 alt kategori</translation>
    </message>
</context>
<context>
    <name>DiffModel</name>
    <message>
        <source>Field</source>
        <extracomment>flows run by &quot;Send&quot; for products that exist on N11 already</extracomment>
        <translation>Alan</translation>
    </message>
    <message>
        <source>On N11 now</source>
        <translation>Şu an N11&apos;de</translation>
    </message>
    <message>
        <source>Will be sent</source>
        <translation>Gönderilecek</translation>
    </message>
</context>
<context>
    <name>ImportReportDialog</name>
    <message>
        <source>Preview import of %1</source>
        <translation>%1 içe aktarma önizlemesi</translation>
    </message>
    <message>
        <source>Imported %1</source>
        <translation>%1 içe aktarıldı</translation>
    </message>
    <message>
        <source>%1 rows. Importing would create &lt;b&gt;%2&lt;/b&gt; and update &lt;b&gt;%3&lt;/b&gt; products (%4 unchanged).</source>
        <translation>%1 satır. İçe aktarma &lt;b&gt;%2&lt;/b&gt; ürün oluşturacak ve &lt;b&gt;%3&lt;/b&gt; ürünü güncelleyecek (%4 değişmedi).</translation>
    </message>
    <message>
        <source>%1 products created, %2 updated, %3 unchanged.</source>
        <translation>%1 ürün oluşturuldu, %2 güncellendi, %3 değişmedi.</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1 bad rows&lt;/b&gt; will be skipped — nothing from them is written. Fix them in the file and import it again.</source>
        <translation>&lt;b&gt;%1 hatalı satır&lt;/b&gt; atlanacak — bunlardan hiçbir şey yazılmaz. Dosyada düzeltip yeniden içe aktarın.</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1 bad rows&lt;/b&gt; were skipped — nothing from them is written. Fix them in the file and import it again.</source>
        <translation>&lt;b&gt;%1 hatalı satır&lt;/b&gt; atlandı — bunlardan hiçbir şey yazılmadı. Dosyada düzeltip yeniden içe aktarın.</translation>
    </message>
    <message>
        <source>Every row is good.</source>
        <translation>Tüm satırlar sorunsuz.</translation>
    </message>
    <message>
        <source>Nothing has been written yet.</source>
        <translation>Henüz hiçbir şey yazılmadı.</translation>
    </message>
    <message>
        <source>Row</source>
        <translation>Satır</translation>
    </message>
    <message>
        <source>Column</source>
        <translation>Sütun</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Sorun</translation>
    </message>
    <message>
        <source>file</source>
        <translation>dosya</translation>
    </message>
    <message>
        <source>new product</source>
        <translation>yeni ürün</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Alan</translation>
    </message>
    <message>
        <source>Now</source>
        <translation>Şu an</translation>
    </message>
    <message>
        <source>After import</source>
        <translation>İçe aktarma sonrası</translation>
    </message>
    <message>
        <source>Imported</source>
        <translation>İçe aktarılan</translation>
    </message>
    <message>
        <source>Changes (%1)</source>
        <translation>Değişiklikler (%1)</translation>
    </message>
    <message>
        <source>Bad rows (%1)</source>
        <translation>Hatalı satırlar (%1)</translation>
    </message>
    <message>
        <source>Bad rows (0)</source>
        <translation>Hatalı satırlar (0)</translation>
    </message>
    <message>
        <source>Imported, but N11 will refuse it until fixed</source>
        <translation>İçe aktarıldı, ancak düzeltilene kadar N11 reddedecek</translation>
    </message>
    <message>
        <source>Warnings (%1)</source>
        <translation>Uyarılar (%1)</translation>
    </message>
    <message>
        <source>Import %1 good row</source>
        <translation>%1 sorunsuz satırı içe aktar</translation>
    </message>
    <message>
        <source>Import %1 good rows</source>
        <translation>%1 sorunsuz satırı içe aktar</translation>
    </message>
    <message>
        <source>Nothing to import</source>
        <translation>İçe aktarılacak bir şey yok</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Channel Settings</source>
        <translation>Kanal Ayarları</translation>
    </message>
    <message>
        <source>Categories &amp; Mapping</source>
        <translation>Kategori Eşleştirme</translation>
    </message>
    <message>
        <source>Products</source>
        <translation>Ürünler</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>Siparişler</translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation>Gösterge Paneli</translation>
    </message>
    <message>
        <source>Monitoring</source>
        <translation>İzleme</translation>
    </message>
    <message>
        <source>Alarms</source>
        <translation>Alarmlar</translation>
    </message>
    <message>
        <source>demo (built-in N11 sandbox, schedules 10× faster)</source>
        <translation>demo (yerleşik N11 test ortamı, zamanlamalar 10 kat hızlı)</translation>
    </message>
    <message>
        <source>Channel: …</source>
        <translation>Kanal: …</translation>
    </message>
    <message>
        <source>Scheduler: %1</source>
        <translation>Zamanlayıcı: %1</translation>
    </message>
    <message>
        <source>No flow running</source>
        <translation>Çalışan akış yok</translation>
    </message>
    <message>
        <source>Channel %1: active</source>
        <translation>Kanal %1: etkin</translation>
    </message>
    <message>
        <source>Channel %1: inactive</source>
        <translation>Kanal %1: etkin değil</translation>
    </message>
    <message numerus="yes">
        <source>%n alarm(s) firing</source>
        <translation>
            <numerusform>%n alarm tetiklendi</numerusform>
        </translation>
    </message>
    <message>
        <source>off</source>
        <translation>kapalı</translation>
    </message>
    <message>
        <source>running</source>
        <translation>çalışıyor</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>duraklatıldı</translation>
    </message>
    <message>
        <source>inactive channel</source>
        <translation>kanal etkin değil</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>durduruldu</translation>
    </message>
    <message>
        <source>off — another n11-desktop drives this database</source>
        <translation>kapalı — bu veritabanını başka bir n11-desktop yönetiyor</translation>
    </message>
    <message>
        <source>Scheduler off</source>
        <translation>Zamanlayıcı kapalı</translation>
    </message>
    <message>
        <source>This window works normally, but its scheduler stays off so the two never close each other&apos;s runs or send the same records twice. &quot;Run now&quot; still runs a single flow. Close the other process and restart n11-desktop to schedule from here.</source>
        <translation>Bu pencere normal çalışır, ancak zamanlayıcısı kapalı kalır; böylece iki uygulama birbirinin çalışmalarını kapatmaz ve aynı kayıtları iki kez göndermez. &quot;Şimdi çalıştır&quot; yine tek bir akışı çalıştırır. Buradan zamanlamak için diğer işlemi kapatıp n11-desktop&apos;u yeniden başlatın.</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Dosya</translation>
    </message>
    <message>
        <source>&amp;Preferences…</source>
        <translation>&amp;Tercihler…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>Çı&amp;kış</translation>
    </message>
</context>
<context>
    <name>PenaltyDialog</name>
    <message>
        <source>CSV files (*.csv *.txt);;All files (*)</source>
        <translation>CSV dosyaları (*.csv *.txt);;Tüm dosyalar (*)</translation>
    </message>
    <message>
        <source>Penalty box (Failed Integration)</source>
        <translation>Ceza Kutusu (Başarısız Entegrasyon)</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Yükleniyor…</translation>
    </message>
    <message>
        <source>Update by uploading a file…</source>
        <translation>Dosya yükleyerek güncelle…</translation>
    </message>
    <message>
        <source>CSV with a `sku` column (optional `content_type`, `action`): lift the penalties of these records so they are sent again; for orders put the N11 order number in `sku` (content_type order): fetched again on the next run</source>
        <translation>`sku` sütunlu CSV (isteğe bağlı `content_type`, `action`): bu kayıtların cezalarını kaldırır, yeniden gönderilirler; siparişler için N11 sipariş numarasını `sku` sütununa yazın (content_type order): sonraki çalışmada yeniden alınır</translation>
    </message>
    <message>
        <source>Delete bulk failed integration…</source>
        <translation>Toplu başarısız entegrasyon sil…</translation>
    </message>
    <message>
        <source>CSV with a `sku` column (SKUs or N11 order numbers): delete these failed integrations</source>
        <translation>`sku` sütunlu CSV (SKU&apos;lar veya N11 sipariş numaraları): bu başarısız entegrasyonları siler</translation>
    </message>
    <message>
        <source>Update bulk product version date…</source>
        <translation>Toplu ürün sürüm tarihi güncelle…</translation>
    </message>
    <message>
        <source>CSV with a `sku` column: bump the version date so the next run sends an update</source>
        <translation>`sku` sütunlu CSV: sürüm tarihini ileri alır, sonraki çalışma bir güncelleme gönderir</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Yenile</translation>
    </message>
    <message>
        <source>%1 record(s) in the penalty box: %2 waiting to be retried, %3 need a manual lift after the cause is fixed.</source>
        <translation>Ceza Kutusunda %1 kayıt: %2 tanesi yeniden denenmeyi bekliyor, %3 tanesi neden düzeltildikten sonra elle kaldırılmalı.</translation>
    </message>
    <message>
        <source>The penalty box is empty.</source>
        <translation>Ceza Kutusu boş.</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>Başarısız: %1</translation>
    </message>
    <message>
        <source>Update by uploading a file</source>
        <translation>Dosya yükleyerek güncelle</translation>
    </message>
    <message>
        <source>Delete bulk failed integration</source>
        <translation>Toplu başarısız entegrasyon sil</translation>
    </message>
    <message>
        <source>Update bulk product version date</source>
        <translation>Toplu ürün sürüm tarihi güncelle</translation>
    </message>
    <message>
        <source>%1 more</source>
        <translation>%1 tane daha</translation>
    </message>
</context>
<context>
    <name>PenaltyModel</name>
    <message>
        <source>manual lift</source>
        <translation>elle kaldırma</translation>
    </message>
    <message>
        <source>Content type</source>
        <translation>İçerik türü</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Neden</translation>
    </message>
    <message>
        <source>Retries</source>
        <translation>Deneme</translation>
    </message>
    <message>
        <source>Next retry</source>
        <translation>Sonraki deneme</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Durum</translation>
    </message>
    <message>
        <source>Message (what to do)</source>
        <translation>Mesaj (ne yapılmalı)</translation>
    </message>
</context>
<context>
    <name>PreferencesDialog</name>
    <message>
        <source>Preferences</source>
        <translation>Tercihler</translation>
    </message>
    <message>
        <source>System language (%1)</source>
        <translation>Sistem dili (%1)</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Dil:</translation>
    </message>
    <message>
        <source>The new language applies when n11-desktop starts again. --lang on the command line overrides this choice.</source>
        <translation>Yeni dil, n11-desktop yeniden başladığında uygulanır. Komut satırındaki --lang bu seçimi geçersiz kılar.</translation>
    </message>
    <message>
        <source>Could not save the preferences: %1</source>
        <translation>Tercihler kaydedilemedi: %1</translation>
    </message>
</context>
<context>
    <name>ProductTableModel</name>
    <message>
        <source>✓ in catalog</source>
        <translation>✓ katalogda</translation>
    </message>
    <message>
        <source>✗ removed</source>
        <translation>✗ çıkarıldı</translation>
    </message>
    <message>
        <source>not in catalog</source>
        <translation>katalogda değil</translation>
    </message>
    <message>
        <source>not sent</source>
        <translation>gönderilmedi</translation>
    </message>
    <message>
        <source>last send failed</source>
        <translation>son gönderim başarısız</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Başlık</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>Kategori</translation>
    </message>
    <message>
        <source>Brand</source>
        <translation>Marka</translation>
    </message>
    <message>
        <source>Price (TL)</source>
        <translation>Fiyat (TL)</translation>
    </message>
    <message>
        <source>Sale price; double-click to edit</source>
        <translation>Satış fiyatı; düzenlemek için çift tıklayın</translation>
    </message>
    <message>
        <source>List price</source>
        <translation>Liste fiyatı</translation>
    </message>
    <message>
        <source>List (crossed-out) price, at least the sale price; double-click to edit</source>
        <translation>Liste (üstü çizili) fiyatı, en az satış fiyatı kadar; düzenlemek için çift tıklayın</translation>
    </message>
    <message>
        <source>Stock</source>
        <translation>Stok</translation>
    </message>
    <message>
        <source>Stock quantity; double-click to edit</source>
        <translation>Stok miktarı; düzenlemek için çift tıklayın</translation>
    </message>
    <message>
        <source>N11 catalog</source>
        <translation>N11 kataloğu</translation>
    </message>
    <message>
        <source>Membership of the N11 catalog</source>
        <translation>N11 kataloğuna üyelik</translation>
    </message>
    <message>
        <source>N11 state</source>
        <translation>N11 durumu</translation>
    </message>
    <message>
        <source>What N11 last said about the product</source>
        <translation>N11&apos;in ürün hakkında son söylediği</translation>
    </message>
    <message>
        <source>Penalty</source>
        <translation>Ceza</translation>
    </message>
    <message>
        <source>⚠ penalized</source>
        <translation>⚠ cezalı</translation>
    </message>
    <message>
        <source>In the penalty box: not retried until its retry time</source>
        <translation>Ceza Kutusunda: deneme zamanı gelene kadar yeniden denenmez</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Son hata</translation>
    </message>
    <message>
        <source>Product code: %1 · %2 image(s)</source>
        <translation>Ürün kodu: %1 · %2 görsel</translation>
    </message>
    <message>
        <source>No price: N11 will not accept this product until it has one</source>
        <translation>Fiyat yok: fiyatı olana kadar N11 bu ürünü kabul etmez</translation>
    </message>
    <message>
        <source>No stock record: the stock flow has nothing to send</source>
        <translation>Stok kaydı yok: stok akışının gönderecek bir şeyi yok</translation>
    </message>
    <message>
        <source>ledger state: %1</source>
        <translation>kayıt defteri durumu: %1</translation>
    </message>
    <message>
        <source>never sent</source>
        <translation>hiç gönderilmedi</translation>
    </message>
    <message>
        <source>N11 status: %1</source>
        <translation>N11 durumu: %1</translation>
    </message>
    <message>
        <source>N11 product id: %1</source>
        <translation>N11 ürün ID&apos;si: %1</translation>
    </message>
    <message>
        <source>N11 category override: leaf %1, set for this product (it wins over the local-category mapping)</source>
        <translation>N11 kategori geçersiz kılma: alt kategori %1, bu ürün için belirlendi (yerel kategori eşleştirmesinden önce gelir)</translation>
    </message>
    <message>
        <source>Local category: %1</source>
        <translation>Yerel kategori: %1</translation>
    </message>
    <message>
        <source>none</source>
        <translation>yok</translation>
    </message>
    <message>
        <source>No local category: it cannot be mapped to an N11 category</source>
        <translation>Yerel kategori yok: bir N11 kategorisiyle eşleştirilemez</translation>
    </message>
    <message>
        <source>price</source>
        <translation>fiyat</translation>
    </message>
    <message>
        <source>list price</source>
        <translation>liste fiyatı</translation>
    </message>
    <message>
        <source>stock</source>
        <translation>stok</translation>
    </message>
    <message>
        <source>the %1 must be above 0</source>
        <translation>%1 0&apos;dan büyük olmalı</translation>
    </message>
    <message>
        <source>set the sale price first</source>
        <translation>önce satış fiyatını girin</translation>
    </message>
    <message>
        <source>it is below the sale price %1</source>
        <translation>satış fiyatının (%1) altında</translation>
    </message>
    <message>
        <source>%1: %2 not changed: %3</source>
        <translation>%1: %2 değiştirilmedi: %3</translation>
    </message>
</context>
<context>
    <name>ProductsTab</name>
    <message>
        <source>Catalog files (*.csv *.xlsx *.xlsm *.txt *.tsv);;CSV (*.csv *.txt *.tsv);;Excel (*.xlsx *.xlsm)</source>
        <translation>Katalog dosyaları (*.csv *.xlsx *.xlsm *.txt *.tsv);;CSV (*.csv *.txt *.tsv);;Excel (*.xlsx *.xlsm)</translation>
    </message>
    <message>
        <source>In catalog or not</source>
        <translation>Katalogda olsun olmasın</translation>
    </message>
    <message>
        <source>In N11 catalog</source>
        <translation>N11 kataloğunda</translation>
    </message>
    <message>
        <source>Not in N11 catalog</source>
        <translation>N11 kataloğunda değil</translation>
    </message>
    <message>
        <source>Removed from N11 catalog</source>
        <translation>N11 kataloğundan çıkarıldı</translation>
    </message>
    <message>
        <source>Any penalty / error</source>
        <translation>Tüm ceza / hata durumları</translation>
    </message>
    <message>
        <source>Penalized</source>
        <translation>Cezalı</translation>
    </message>
    <message>
        <source>Not penalized</source>
        <translation>Cezasız</translation>
    </message>
    <message>
        <source>With an error</source>
        <translation>Hatalı</translation>
    </message>
    <message>
        <source>Products</source>
        <translation>Ürünler</translation>
    </message>
    <message>
        <source>Import catalog…</source>
        <translation>Katalog içe aktar…</translation>
    </message>
    <message>
        <source>Import products, prices, stock, images and attributes from a CSV or XLSX file (you see a preview first)</source>
        <translation>Ürünleri, fiyatları, stoğu, görselleri ve özellikleri bir CSV veya XLSX dosyasından içe aktarın (önce bir önizleme görürsünüz)</translation>
    </message>
    <message>
        <source>Add to N11 catalog</source>
        <translation>N11 kataloğuna ekle</translation>
    </message>
    <message>
        <source>Add the selected products to the N11 catalog (they are then sent to N11)</source>
        <translation>Seçili ürünleri N11 kataloğuna ekler (ardından N11&apos;e gönderilirler)</translation>
    </message>
    <message>
        <source>Remove from N11 catalog</source>
        <translation>N11 kataloğundan çıkar</translation>
    </message>
    <message>
        <source>Remove the selected products from the N11 catalog (Product Delete then sets their stock to 0 on N11)</source>
        <translation>Seçili ürünleri N11 kataloğundan çıkarır (ardından Ürün Silme, N11&apos;deki stoklarını 0 yapar)</translation>
    </message>
    <message>
        <source>Pause selling on N11</source>
        <translation>N11&apos;de satışı duraklat</translation>
    </message>
    <message>
        <source>Stop selling the selected products on N11 without deleting them (N11 status Suspended; listing, price and stock are kept)</source>
        <translation>Seçili ürünlerin N11&apos;deki satışını silmeden durdurur (N11 durumu Askıda; ilan, fiyat ve stok korunur)</translation>
    </message>
    <message>
        <source>Resume selling on N11</source>
        <translation>N11&apos;de satışa devam et</translation>
    </message>
    <message>
        <source>Sell the selected paused products on N11 again (N11 status Active)</source>
        <translation>Duraklatılmış seçili ürünleri N11&apos;de yeniden satışa açar (N11 durumu Aktif)</translation>
    </message>
    <message>
        <source>Set N11 category…</source>
        <translation>N11 kategorisi belirle…</translation>
    </message>
    <message>
        <source>Put the selected products in one N11 leaf category, whatever their local category maps to (e.g. the category ID an N11 error names); they are resent with it</source>
        <translation>Yerel kategorileri neyle eşleşirse eşleşsin, seçili ürünleri tek bir N11 alt kategorisine koyar (ör. bir N11 hatasının belirttiği kategori ID&apos;si); ürünler bu kategoriyle yeniden gönderilir</translation>
    </message>
    <message>
        <source>Clear N11 category override</source>
        <translation>N11 kategori geçersiz kılmayı kaldır</translation>
    </message>
    <message>
        <source>The selected products follow their local-category mapping again (they are resent)</source>
        <translation>Seçili ürünler yeniden yerel kategori eşleştirmesine uyar (yeniden gönderilirler)</translation>
    </message>
    <message>
        <source>View on N11</source>
        <translation>N11&apos;de görüntüle</translation>
    </message>
    <message>
        <source>Open the product&apos;s page on N11 (Sales Url) in the web browser</source>
        <translation>Ürünün N11 sayfasını (Satış URL&apos;si) web tarayıcısında açar</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Yenile</translation>
    </message>
    <message>
        <source>Search SKU, title, product code, barcode or brand…</source>
        <translation>SKU, başlık, ürün kodu, barkod veya marka ara…</translation>
    </message>
    <message>
        <source>All categories</source>
        <translation>Tüm kategoriler</translation>
    </message>
    <message>
        <source>Any N11 state</source>
        <translation>Tüm N11 durumları</translation>
    </message>
    <message>
        <source>Not sent yet</source>
        <translation>Henüz gönderilmedi</translation>
    </message>
    <message>
        <source>Loading products…</source>
        <translation>Ürünler yükleniyor…</translation>
    </message>
    <message>
        <source>Double-click a price, list price or stock to change it. Select rows to add or remove them from the N11 catalog.</source>
        <translation>Değiştirmek için fiyat, liste fiyatı veya stoğa çift tıklayın. N11 kataloğuna eklemek veya çıkarmak için satırları seçin.</translation>
    </message>
    <message>
        <source>&lt;h2&gt;No products yet — import a CSV/XLSX catalog&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;Henüz ürün yok — bir CSV/XLSX katalog içe aktarın&lt;/h2&gt;</translation>
    </message>
    <message>
        <source>One row per SKU. Columns: &lt;b&gt;sku&lt;/b&gt; (required), product_code, title, description, category (&lt;i&gt;Ayakkabı &amp;gt; Kadın &amp;gt; Sneaker&lt;/i&gt;), brand, barcode, price, list_price, vat_rate (0/1/10/20), stock, images (https URLs separated by |), preparing_day, shipment_template, active, in_catalog and any &lt;b&gt;attr:&amp;lt;Name&amp;gt;&lt;/b&gt; column such as attr:Renk.&lt;br&gt;Excel files and CSV in UTF-8 or Windows-1254 with , or ; separators and Turkish decimal commas (1.234,50) are fine. You see what would change before anything is written.</source>
        <translation>Her SKU için bir satır. Sütunlar: &lt;b&gt;sku&lt;/b&gt; (zorunlu), product_code, title, description, category (&lt;i&gt;Ayakkabı &amp;gt; Kadın &amp;gt; Sneaker&lt;/i&gt;), brand, barcode, price, list_price, vat_rate (0/1/10/20), stock, images (| ile ayrılmış https adresleri), preparing_day, shipment_template, active, in_catalog ve attr:Renk gibi herhangi bir &lt;b&gt;attr:&amp;lt;Ad&amp;gt;&lt;/b&gt; sütunu.&lt;br&gt;Excel dosyaları ve UTF-8 ya da Windows-1254 kodlu, , veya ; ayraçlı, Türkçe ondalık virgüllü (1.234,50) CSV dosyaları kabul edilir. Herhangi bir şey yazılmadan önce neyin değişeceğini görürsünüz.</translation>
    </message>
    <message>
        <source>Import catalog</source>
        <translation>Katalog içe aktar</translation>
    </message>
    <message>
        <source>Could not open a browser; the product&apos;s N11 page is %1</source>
        <translation>Tarayıcı açılamadı; ürünün N11 sayfası: %1</translation>
    </message>
    <message>
        <source>(no category)</source>
        <translation>(kategorisiz)</translation>
    </message>
    <message>
        <source>Could not load the filter lists: %1</source>
        <translation>Filtre listeleri yüklenemedi: %1</translation>
    </message>
    <message>
        <source>No products</source>
        <translation>Ürün yok</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; of %2 products match</source>
        <translation>%2 üründen &lt;b&gt;%1&lt;/b&gt; tanesi eşleşiyor</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; products</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; ürün</translation>
    </message>
    <message>
        <source>%1 product added to the N11 catalog.</source>
        <translation>%1 ürün N11 kataloğuna eklendi.</translation>
    </message>
    <message>
        <source>%1 products added to the N11 catalog.</source>
        <translation>%1 ürün N11 kataloğuna eklendi.</translation>
    </message>
    <message>
        <source>%1 product removed from the N11 catalog.</source>
        <translation>%1 ürün N11 kataloğundan çıkarıldı.</translation>
    </message>
    <message>
        <source>%1 products removed from the N11 catalog.</source>
        <translation>%1 ürün N11 kataloğundan çıkarıldı.</translation>
    </message>
    <message>
        <source>%1 already in it.</source>
        <translation>%1 tanesi zaten içindeydi.</translation>
    </message>
    <message>
        <source>%1 already out of it.</source>
        <translation>%1 tanesi zaten dışındaydı.</translation>
    </message>
    <message>
        <source>Sending to N11…</source>
        <translation>N11&apos;e gönderiliyor…</translation>
    </message>
    <message>
        <source>Loading the N11 category tree…</source>
        <translation>N11 kategori ağacı yükleniyor…</translation>
    </message>
    <message>
        <source>N11 category not set: %1. Nothing was changed.</source>
        <translation>N11 kategorisi belirlenmedi: %1. Hiçbir şey değişmedi.</translation>
    </message>
    <message>
        <source>N11 category override cleared for %1 product; they follow the category mapping again.</source>
        <translation>%1 ürünün N11 kategori geçersiz kılması kaldırıldı; yeniden kategori eşleştirmesine uyuyor.</translation>
    </message>
    <message>
        <source>N11 category override cleared for %1 products; they follow the category mapping again.</source>
        <translation>%1 ürünün N11 kategori geçersiz kılması kaldırıldı; yeniden kategori eşleştirmesine uyuyorlar.</translation>
    </message>
    <message>
        <source>%1 product put in N11 category “%2” (%3); they are resent with it at the next Product Update / Create.</source>
        <translation>%1 ürün “%2” (%3) N11 kategorisine kondu; sonraki Ürün Güncelleme / Oluşturma&apos;da bu kategoriyle yeniden gönderilir.</translation>
    </message>
    <message>
        <source>%1 products put in N11 category “%2” (%3); they are resent with it at the next Product Update / Create.</source>
        <translation>%1 ürün “%2” (%3) N11 kategorisine kondu; sonraki Ürün Güncelleme / Oluşturma&apos;da bu kategoriyle yeniden gönderilirler.</translation>
    </message>
    <message>
        <source>%1 already without one.</source>
        <translation>%1 tanesinde zaten yoktu.</translation>
    </message>
    <message>
        <source>Checking %1…</source>
        <translation>%1 kontrol ediliyor…</translation>
    </message>
    <message>
        <source>Importing %1…</source>
        <translation>%1 içe aktarılıyor…</translation>
    </message>
    <message>
        <source>%1 was not imported: %2</source>
        <translation>%1 içe aktarılmadı: %2</translation>
    </message>
    <message>
        <source>Processing %1: %2 of %3 rows…</source>
        <translation>%1 işleniyor: %2 / %3 satır…</translation>
    </message>
    <message>
        <source>Import cancelled: nothing was written.</source>
        <translation>İçe aktarma iptal edildi: hiçbir şey yazılmadı.</translation>
    </message>
    <message>
        <source>Bad rows were skipped; they are listed in the import report.</source>
        <translation>Hatalı satırlar atlandı; içe aktarma raporunda listeleniyorlar.</translation>
    </message>
</context>
<context>
    <name>ScheduleDialog</name>
    <message>
        <source>Schedule of %1</source>
        <translation>%1 zamanlaması</translation>
    </message>
    <message>
        <source>Default: %1</source>
        <translation>Varsayılan: %1</translation>
    </message>
    <message>
        <source>Now: %1</source>
        <translation>Şu an: %1</translation>
    </message>
    <message>
        <source>Every</source>
        <translation>Her</translation>
    </message>
    <message>
        <source>Daily at</source>
        <translation>Her gün saat</translation>
    </message>
    <message>
        <source> min</source>
        <translation> dk</translation>
    </message>
    <message>
        <source>Europe/Istanbul (N11&apos;s time), whatever this computer&apos;s zone</source>
        <translation>Europe/Istanbul (N11 saati), bu bilgisayarın saat dilimi ne olursa olsun</translation>
    </message>
    <message>
        <source>Reset to default</source>
        <translation>Varsayılana dön</translation>
    </message>
    <message>
        <source>This flow runs on the OMS web hook; it has no timer.</source>
        <translation>Bu akış OMS web kancasıyla çalışır; zamanlayıcısı yoktur.</translation>
    </message>
</context>
<context>
    <name>SendDialog</name>
    <message>
        <source>Send to N11</source>
        <translation>N11&apos;e gönder</translation>
    </message>
    <message>
        <source>Preparing the preview…</source>
        <translation>Önizleme hazırlanıyor…</translation>
    </message>
    <message>
        <source>Send anyway (I checked the warnings above)</source>
        <translation>Yine de gönder (yukarıdaki uyarıları kontrol ettim)</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Gönder</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>İptal</translation>
    </message>
    <message>
        <source>Could not prepare the send: %1</source>
        <translation>Gönderim hazırlanamadı: %1</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Kapat</translation>
    </message>
    <message>
        <source>%1 product(s) selected</source>
        <translation>%1 ürün seçildi</translation>
    </message>
    <message>
        <source>%1 new on N11 (created)</source>
        <translation>N11&apos;de %1 yeni (oluşturulacak)</translation>
    </message>
    <message>
        <source>%1 with changes</source>
        <translation>%1 değişiklikli</translation>
    </message>
    <message>
        <source>%1 unchanged</source>
        <translation>%1 değişmedi</translation>
    </message>
    <message>
        <source>%1 cannot be sent</source>
        <translation>%1 gönderilemez</translation>
    </message>
    <message>
        <source>%1 unknown SKU(s): %2</source>
        <translation>%1 bilinmeyen SKU: %2</translation>
    </message>
    <message>
        <source>Cannot be sent (they will be penalized with this reason): </source>
        <translation>Gönderilemez (bu nedenle cezalandırılacaklar): </translation>
    </message>
    <message>
        <source>Only products not yet on N11 are created (seed §8: updates go through the scheduled flows).</source>
        <translation>Yalnızca henüz N11&apos;de olmayan ürünler oluşturulur (güncellemeler zamanlanmış akışlarla gider).</translation>
    </message>
    <message>
        <source>%1 warning(s) — check before sending:
</source>
        <translation>%1 uyarı — göndermeden önce kontrol edin:
</translation>
    </message>
    <message>
        <source>Send anyway</source>
        <translation>Yine de gönder</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Başlatılıyor…</translation>
    </message>
    <message>
        <source>, about %1 s left</source>
        <translation>, yaklaşık %1 sn kaldı</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>%1 sent, %2 failed, %3 penalized, %4 skipped</source>
        <translation>%1 gönderildi, %2 başarısız, %3 cezalı, %4 atlandı</translation>
    </message>
    <message>
        <source>Cancelled: what was sent before the cancel is tracked; nothing else left.</source>
        <translation>İptal edildi: iptalden önce gönderilenler izleniyor; başka bir şey gönderilmedi.</translation>
    </message>
    <message>
        <source>Nothing was run.</source>
        <translation>Hiçbir şey çalıştırılmadı.</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>İptal edildi.</translation>
    </message>
    <message>
        <source>Done.</source>
        <translation>Tamamlandı.</translation>
    </message>
    <message>
        <source>Cancelling at the next safe point…</source>
        <translation>Bir sonraki güvenli noktada iptal ediliyor…</translation>
    </message>
</context>
<context>
    <name>core</name>
    <message>
        <source>Flow failed N times in a row</source>
        <translation>Akış art arda N kez başarısız oldu</translation>
    </message>
    <message>
        <source>Failures in a row</source>
        <translation>Art arda başarısızlık</translation>
    </message>
    <message>
        <source>Error rate above X% over a window</source>
        <translation>Bir zaman aralığında hata oranı %X üzerinde</translation>
    </message>
    <message>
        <source>Error rate %</source>
        <translation>Hata oranı %</translation>
    </message>
    <message>
        <source>Window (minutes)</source>
        <translation>Aralık (dakika)</translation>
    </message>
    <message>
        <source>At least runs</source>
        <translation>En az çalışma</translation>
    </message>
    <message>
        <source>No successful run for Y minutes</source>
        <translation>Y dakikadır başarılı çalışma yok</translation>
    </message>
    <message>
        <source>Minutes</source>
        <translation>Dakika</translation>
    </message>
    <message>
        <source>Penalty box above N</source>
        <translation>Ceza Kutusu N üzerinde</translation>
    </message>
    <message>
        <source>Penalized records</source>
        <translation>Cezalı kayıtlar</translation>
    </message>
    <message>
        <source>Send queue above N</source>
        <translation>Gönderim kuyruğu N üzerinde</translation>
    </message>
    <message>
        <source>Waiting products</source>
        <translation>Bekleyen ürünler</translation>
    </message>
    <message>
        <source>Stock difference above N SKUs</source>
        <translation>N&apos;den fazla SKU&apos;da stok farkı</translation>
    </message>
    <message>
        <source>SKUs</source>
        <translation>SKU sayısı</translation>
    </message>
    <message>
        <source>Price difference above N SKUs</source>
        <translation>N&apos;den fazla SKU&apos;da fiyat farkı</translation>
    </message>
    <message>
        <source>Cancellations waiting for the ERP</source>
        <translation>ERP&apos;yi bekleyen iptaller</translation>
    </message>
    <message>
        <source>Waiting cancellations</source>
        <translation>Bekleyen iptaller</translation>
    </message>
    <message>
        <source>Waiting longer than (hours)</source>
        <translation>Şundan uzun bekleyen (saat)</translation>
    </message>
    <message>
        <source>Category Node</source>
        <translation>Kategori Ağacı</translation>
    </message>
    <message>
        <source>Category Attribute and Values</source>
        <translation>Kategori Özellikleri ve Değerleri</translation>
    </message>
    <message>
        <source>Create Default Attributes</source>
        <translation>Varsayılan Özellikleri Oluştur</translation>
    </message>
    <message>
        <source>Compare Attributes</source>
        <translation>Özellikleri Karşılaştır</translation>
    </message>
    <message>
        <source>Product Create</source>
        <translation>Ürün Oluşturma</translation>
    </message>
    <message>
        <source>Product Update</source>
        <translation>Ürün Güncelleme</translation>
    </message>
    <message>
        <source>Product Delete</source>
        <translation>Ürün Silme</translation>
    </message>
    <message>
        <source>Send Delete Product Seller Code</source>
        <translation>Satıcı Ürün Kodu Silme Gönderimi</translation>
    </message>
    <message>
        <source>Stock</source>
        <translation>Stok</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>Fiyat</translation>
    </message>
    <message>
        <source>Task Results</source>
        <translation>Görev Sonuçları</translation>
    </message>
    <message>
        <source>Order Create</source>
        <translation>Sipariş Oluşturma</translation>
    </message>
    <message>
        <source>Order Update</source>
        <translation>Sipariş Güncelleme</translation>
    </message>
    <message>
        <source>Send Invoice Link</source>
        <translation>Fatura Bağlantısı Gönder</translation>
    </message>
    <message>
        <source>Get Updated Orders</source>
        <translation>Güncellenen Siparişleri Al</translation>
    </message>
    <message>
        <source>Cancellation Requests</source>
        <translation>İptal Talepleri</translation>
    </message>
    <message>
        <source>Cancel/Refund Orders</source>
        <translation>İptal/İade Siparişleri</translation>
    </message>
    <message>
        <source>Send Cancel Order Items</source>
        <translation>Sipariş Kalemi İptallerini Gönder</translation>
    </message>
    <message>
        <source>Split Packages</source>
        <translation>Paket Bölme</translation>
    </message>
    <message>
        <source>Handle Package Combinations</source>
        <translation>Paket Birleştirmeleri</translation>
    </message>
    <message>
        <source>Reference Data</source>
        <translation>Referans Verileri</translation>
    </message>
    <message>
        <source>N11 State Sync</source>
        <translation>N11 Durum Eşitleme</translation>
    </message>
    <message>
        <source>Fix Differences</source>
        <translation>Farkları Düzelt</translation>
    </message>
    <message>
        <source>Waiting for approval</source>
        <translation>Onay bekliyor</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>Onaylandı</translation>
    </message>
    <message>
        <source>Shipped</source>
        <translation>Kargoya verildi</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Teslim edildi</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Tamamlandı</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>İptal edildi</translation>
    </message>
    <message>
        <source>Refunded</source>
        <translation>İade edildi</translation>
    </message>
    <message>
        <source>Split (replaced)</source>
        <translation>Bölündü (yerine yenisi geldi)</translation>
    </message>
    <message>
        <source>Partly cancelled</source>
        <translation>Kısmen iptal</translation>
    </message>
</context>
<context>
    <name>send_dialog</name>
    <message>
        <source>Send selected…</source>
        <translation>Seçilenleri gönder…</translation>
    </message>
    <message>
        <source>Preview field by field what changes on N11 for the selected products, then send them now</source>
        <translation>Seçili ürünler için N11&apos;de nelerin değişeceğini alan alan önizleyin, sonra hemen gönderin</translation>
    </message>
    <message>
        <source>Penalty box…</source>
        <translation>Ceza Kutusu…</translation>
    </message>
    <message>
        <source>Records held after errors (seed §8): lift penalties, delete failed integrations, bump version dates from a CSV</source>
        <translation>Hatalardan sonra bekletilen kayıtlar: cezaları kaldırın, başarısız entegrasyonları silin, bir CSV&apos;den sürüm tarihlerini ileri alın</translation>
    </message>
</context>
</TS>
