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
</TS>
